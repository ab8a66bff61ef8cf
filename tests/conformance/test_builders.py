"""`build_op_context`, `build_asset_context`, `build_init_resource_context` and direct
invocation of ops and assets (issue #10 item 2; the page's "Context Builders")."""

from tests.conformance.api import dg


@dg.resource(config_schema={"url": str})
def database(init_context):
    return {"url": init_context.resource_config["url"]}


@dg.op(required_resource_keys={"database"})
def read_url(context) -> str:
    return context.resources.database["url"]


class Scale(dg.Config):
    factor: int


@dg.op
def scaled(context, config: Scale) -> int:
    return config.factor * 10


@dg.op
def config_of(context):
    return context.op_config


def test_resources_config_in_dagsters_shape_configures_a_resource():
    context = dg.build_op_context(resources={"database": database},
                                  resources_config={"database": {"config": {"url": "db://x"}}})
    assert read_url(context) == "db://x"


def test_resources_are_plain_values_or_definitions():
    context = dg.build_op_context(resources={"database": {"url": "plain"}, "n": 3})
    assert read_url(context) == "plain"
    assert context.resources.n == 3


def test_op_config_and_its_alias_config():
    assert dg.build_op_context(op_config={"a": 1}).op_config == {"a": 1}
    assert dg.build_op_context(config={"a": 2}).op_config == {"a": 2}
    assert config_of(dg.build_op_context(op_config={"b": 3})) == {"b": 3}


def test_mapping_key_is_returned_by_get_mapping_key():
    assert dg.build_op_context(mapping_key="k1").get_mapping_key() == "k1"
    assert dg.build_op_context().get_mapping_key() is None


def test_context_has_an_ephemeral_instance_when_none_is_given():
    instance = dg.build_op_context().instance
    assert isinstance(instance, dg.DagsterInstance)
    assert instance.is_ephemeral


def test_given_instance_is_the_contexts_instance():
    instance = dg.DagsterInstance.ephemeral()
    assert dg.build_op_context(instance=instance).instance is instance


def test_config_object_passed_positionally_after_the_context():
    assert scaled(dg.build_op_context(), Scale(factor=1)) == 10
    assert scaled(dg.build_op_context(), config=Scale(factor=2)) == 20


def test_none_in_the_context_position_is_accepted():
    assert scaled(None, Scale(factor=3)) == 30
    assert config_of(None) is None


def test_config_object_without_a_context():
    @dg.op
    def plain(config: Scale) -> int:
        return config.factor

    assert plain(Scale(factor=5)) == 5


def test_asset_called_with_a_context_and_a_config_object():
    @dg.asset
    def configured_asset(context, config: Scale) -> int:
        return config.factor + 1

    assert configured_asset(dg.build_asset_context(), Scale(factor=4)) == 5


def test_partition_key_of_a_built_context():
    context = dg.build_op_context(partition_key="2024-01-01")
    assert context.has_partition_key is True
    assert context.partition_key == "2024-01-01"
    assert dg.build_op_context().has_partition_key is False


def test_has_partition_key_range_of_a_built_context():
    key_range = dg.PartitionKeyRange("a", "b")
    assert dg.build_op_context(partition_key_range=key_range).has_partition_key_range is True
    assert dg.build_op_context(partition_key="a").has_partition_key_range is False
    assert dg.build_asset_context().has_partition_key_range is False


def test_run_tags_of_a_built_context():
    context = dg.build_op_context(run_tags={"team": "data"})
    assert context.run_tags == {"team": "data"}
    assert context.has_tag("team") and context.get_tag("team") == "data"


def test_run_id_of_a_built_context_is_a_string():
    assert isinstance(dg.build_op_context().run_id, str)


def test_build_asset_context_partition_key_and_asset_config():
    context = dg.build_asset_context(partition_key="p1", asset_config={"q": 1})
    assert context.partition_key == "p1" and context.has_partition_key
    assert context.op_config == {"q": 1}
    assert isinstance(context, dg.AssetExecutionContext)


def test_build_asset_context_run_tags():
    context = dg.build_asset_context(run_tags={"env": "test"})
    assert context.run_tags == {"env": "test"}
    assert context.has_partition_key is False


def test_build_asset_context_resources():
    @dg.asset(required_resource_keys={"database"})
    def url_asset(context) -> str:
        return context.resources.database["url"]

    context = dg.build_asset_context(resources={"database": database},
                                     resources_config={"database": {"config": {"url": "a://"}}})
    assert url_asset(context) == "a://"


def test_built_context_as_a_context_manager_tears_resources_down():
    torn_down = []

    @dg.resource
    def tracked(_):
        try:
            yield "live"
        finally:
            torn_down.append(True)

    with dg.build_op_context(resources={"tracked": tracked}) as context:
        assert context.resources.tracked == "live"
        assert torn_down == []
    assert torn_down == [True]


def test_build_init_resource_context_hands_initialised_resources():
    @dg.resource
    def ten(_):
        return 10

    @dg.resource(required_resource_keys={"base"})
    def plus_one(init_context):
        return init_context.resources.base + 1

    assert plus_one(dg.build_init_resource_context(resources={"base": 1})) == 2
    context = dg.build_init_resource_context(resources={"base": ten})
    assert context.resources.base == 10
    assert plus_one(context) == 11


def test_build_init_resource_context_config():
    assert database(dg.build_init_resource_context(config={"url": "c://"})) == {"url": "c://"}


def test_op_invoked_directly_with_inputs():
    @dg.op
    def add(context, a: int, b: int) -> int:
        return a + b

    assert add(dg.build_op_context(), 1, b=2) == 3
