"""The application shell: start-up, main-window parts and shell dialogs (not a tab)."""
