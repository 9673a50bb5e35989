"""Who may sign in, what each may see, and the sessions and sign-in attempts that go with it.

Domain code: every function takes an open connection and values, and returns values.
``web`` calls it for every request; ``cli`` for ``htz users``.
"""
