"""Floor 3, rendering: the site graph into HTML page bodies through the Jinja2 templates."""
