"""The query page at /query: editor, example gallery, readable results; its static files.

page         the routes (/query, /query.json) and the page itself
static/      the page's script and style sheet
"""
