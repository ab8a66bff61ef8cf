"""specrun/runtime/input_managers.py: loading through an input manager, and the one LOADED_INPUT
message every load records."""

from __future__ import annotations

import pathlib

from specrun import AssetIn, InputManager, asset, input_manager, materialize, mem_io_manager
from specrun.runtime.input_managers import loaded_input_message

SPECRUN = pathlib.Path(__file__).resolve().parents[2] / "specrun"


def test_loaded_input_message_names_the_input_and_its_manager():
    assert loaded_input_message("up", "io_manager") == 'Loaded input "up" using input manager "io_manager"'


def test_the_loaded_input_message_is_written_in_one_place():
    written = {str(p.relative_to(SPECRUN)): p.read_text(encoding="utf-8").count("Loaded input ")
               for p in SPECRUN.rglob("*.py")}
    assert {p: n for p, n in written.items() if n} == {"runtime/input_managers.py": 1}


class _Loader(InputManager):
    def load_input(self, context):
        return 5


def test_plain_steps_and_input_manager_loads_record_that_message():
    @asset
    def up() -> int:
        return 1

    @asset
    def plain(up):
        return up + 1

    @asset(ins={"up": AssetIn(input_manager_key="loader")})
    def managed(up):
        return up * 2

    result = materialize([up, plain, managed],
                         resources={"io_manager": mem_io_manager, "loader": input_manager(lambda _: _Loader())})
    messages = sorted((e.step_key, e.message) for e in result.all_events if e.event_type_value == "LOADED_INPUT")
    assert messages == [("managed", loaded_input_message("up", "loader")),
                        ("plain", loaded_input_message("up", "io_manager"))]
    assert result.output_for_node("managed") == 10
