"""Floor 5, the MkDocs integration: the only part of Tongxin that imports MkDocs.

``plugin`` dispatches MkDocs' events, ``config`` is its typed options, ``nav`` adds the record
sections the configured nav does not name, ``shell`` the Material layout record pages are
spliced into, ``incremental`` what ``tongxin serve`` keeps between rebuilds (it does not
import MkDocs itself).
"""
