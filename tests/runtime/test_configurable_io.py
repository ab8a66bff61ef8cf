"""runtime.configurable_io: IO managers declared as typed config classes."""

from __future__ import annotations

import os
import pickle

from specrun import ConfigurableIOManager, ConfigurableIOManagerFactory, FilesystemIOManager, asset, materialize


@asset
def numbers():
    return [1, 2, 3]


@asset
def total(numbers):
    return sum(numbers)


def test_a_configurable_io_manager_is_itself_the_manager_and_gets_its_config():
    stored = {}

    class Prefixed(ConfigurableIOManager):
        prefix: str

        def handle_output(self, context, obj):
            stored[self.prefix + context.asset_key.to_user_string()] = obj

        def load_input(self, context):
            return stored[self.prefix + context.asset_key.to_user_string()]

    result = materialize([numbers, total], resources={"io_manager": Prefixed(prefix="p/")})
    assert result.asset_value("total") == 6
    assert stored == {"p/numbers": [1, 2, 3], "p/total": 6}


def test_a_factory_builds_its_manager_once_per_run_from_its_config():
    built = []

    class Memory(ConfigurableIOManager):
        def handle_output(self, context, obj):
            self.__class__.values[context.asset_key.to_user_string()] = obj

        def load_input(self, context):
            return self.__class__.values[context.asset_key.to_user_string()]

    Memory.values = {}

    class Factory(ConfigurableIOManagerFactory):
        label: str

        def create_io_manager(self, context):
            built.append(self.label)
            return Memory()

    result = materialize([numbers, total], resources={"io_manager": Factory(label="mem")})
    assert result.asset_value("total") == 6 and built == ["mem"]
    assert Memory.values == {"numbers": [1, 2, 3], "total": 6}


def test_filesystem_io_manager_pickles_under_its_base_dir(tmp_path):
    result = materialize([numbers, total], resources={"io_manager": FilesystemIOManager(base_dir=str(tmp_path))})
    assert result.asset_value("total") == 6
    values = []
    for folder, _, files in os.walk(tmp_path):
        for name in files:
            with open(os.path.join(folder, name), "rb") as fh:
                values.append(pickle.load(fh))
    assert sorted(values, key=repr) == [6, [1, 2, 3]]  # both outputs, pickled under base_dir
