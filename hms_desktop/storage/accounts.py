"""Where accounts live: ``users.csv`` (+ journal, history) and the access log day files.

Like every file in the folder they are 0600 (``csvfile.FILE_MODE``). ``users.csv`` holds
argon2id hashes, never a password; its history keeps every earlier version (who disabled
whom, each failed sign-in count) so lock-outs are recorded.
"""

from __future__ import annotations

from hms_desktop.domain.accounts import AccessEvent, UserAccount

from .schema import TableSpec

#: The ID is the username, supplied by the caller.
USERS = TableSpec(name="users", model=UserAccount, id_prefix=None, schema_version=1)

#: ``access/YYYY-MM-DD.csv``: append-only, one line per record opened, print, export, denial.
DAY_LOGS = {"access": AccessEvent}
