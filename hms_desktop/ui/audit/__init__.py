"""The audit viewer (administrators): who opened, changed, printed or exported what, and when."""
