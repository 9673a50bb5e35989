"""The web platform: public dashboards and open data, report entry and review, the API.

FastAPI on uvicorn; pages are Jinja2 templates with htmx and ECharts served from
``static/vendor`` (nothing from the internet). Routes are thin: they check the user and
scope, call one query or service function, and render it as HTML or JSON.
"""
