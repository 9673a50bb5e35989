"""The signed-in part of the site, one router per role."""

from htz.web import national, reports, review

routers = (reports.router, review.router, national.router)
