"""Floor 3, rendering: the site graph into HTML page bodies through the Jinja2 templates.

``rendering`` plans which pages exist and renders each through its template (and says which
template line failed); ``formatting`` is how values read on a page (dates, the fact line);
``sections`` is the data of the portal's own pages (calendar months, phone directory,
organisation filters); ``qr`` draws the QR codes of printed pages.
"""
