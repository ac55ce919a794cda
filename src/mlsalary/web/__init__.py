"""The web app and JSON API (`mlsalary serve`)."""
