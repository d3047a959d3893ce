"""site_config.yml as Tongxin's own commands read it, before MkDocs."""

from __future__ import annotations

from generator.mkdocs_plugin.config import TongxinConfig
from generator.site.settings import PLUGIN_OPTIONS


def test_the_safe_reader_knows_every_option_the_plugin_declares() -> None:
    # check and build refuse unknown options from PLUGIN_OPTIONS; MkDocs validates TongxinConfig.
    declared = {name for name, _option in TongxinConfig._schema}
    assert set(PLUGIN_OPTIONS) == declared
