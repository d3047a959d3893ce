"""The MkDocs integration: the only part of Tongxin that imports MkDocs."""
