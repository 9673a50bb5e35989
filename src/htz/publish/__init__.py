"""Publishing: the bulletin in zh, en and vi as HTML, Markdown and Excel (``render``).

Layout: ``numbers`` (numbers as each reader expects them), ``texts`` (every text in three
languages), ``i18n`` (names, periods, dates), ``model`` (the document), ``tables`` and
``content`` (what the bulletin says), ``svg``, ``html``, ``markdown``, ``xlsx`` (how it
looks), ``render`` (the entry points).
"""
