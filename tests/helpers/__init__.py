"""The one home for test helpers: functions and classes that more than one test module uses.

Fixtures live in ``conftest.py`` files, and pytest finds them there; nothing imports a
conftest or another test module (``tests/test_layout.py`` fails if one does). A helper
module is named for what it helps with: ``browser``, ``chat``, ``content``, ``embeds``,
``peer_mentors``, ``plans``, ``sign_in``. Records are built by ``tests/factories.py``.
"""
