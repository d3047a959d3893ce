"""Floor 1, the content: YAML files in, typed and checked records out.

Loading (positions of every key), the content model, validation, the privacy guard, markup
sanitising and the other per-record checks. Nothing here knows of pages, outputs or MkDocs.
"""
