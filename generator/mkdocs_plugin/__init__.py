"""Floor 5, the MkDocs integration: the only part of Tongxin that imports MkDocs.

``plugin`` dispatches MkDocs' events, ``config`` is its typed options, ``nav`` adds the record
sections the configured nav does not name, ``shell`` the Material layout record pages are
spliced into, ``incremental`` what is kept between builds (in memory by ``tongxin serve``,
in the build cache by ``tongxin build``), ``cache`` the build cache on disk and ``sitetree``
how a build is published from it (these three do not import MkDocs themselves).
"""
