"""The report: charts (shared with the web app) and the HTML, Markdown and JSON renderings of the figures."""
