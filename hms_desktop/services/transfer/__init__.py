"""Moving a clinic between the CSV folder and a PostgreSQL server, history included.

``to_server.migrate_folder`` (``python -m hms_desktop migrate``) and
``to_folder.export_folder`` (``python -m hms_desktop export-csv``); see docs/postgresql.md.
"""
