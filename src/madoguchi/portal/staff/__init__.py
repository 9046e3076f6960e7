"""The website's screens in the staff console, one module per part (rota, opendata, feedback …),
each registering its own Wagtail hooks when `portal/wagtail_hooks.py` imports it."""
