"""Views of the website that are not Wagtail pages (search, feedback, open data)."""
