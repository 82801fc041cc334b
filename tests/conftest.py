import os
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")
ROOT = Path(__file__).parents[1]


def _build_each_command_tree_once() -> None:
    """``CliRunner().invoke(app, ...)`` turns the typer app into its click command tree on every call (~15 ms of
    signature inspection, some 200 times in the quick loop); the tree depends only on the app, so the tests
    build it once per app, as the console script does once per process. The invocations are unchanged."""
    import functools

    import typer.testing

    typer.testing._get_command = functools.cache(typer.testing._get_command)


_build_each_command_tree_once()


@pytest.fixture(scope="session")
def plugin_path(tmp_path_factory) -> Path:
    """The example plugin (``examples/plugin``) installed with pip into a folder of its own."""
    target = tmp_path_factory.mktemp("site")
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation"]
    subprocess.run([*command, "--target", str(target), str(ROOT / "examples" / "plugin")], check=True)
    return target


@pytest.fixture()
def with_plugin(plugin_path, monkeypatch):
    """This process sees the installed example plugin (its entry point and its module)."""
    from signalscreen_cli.methods import plugin_entries

    monkeypatch.syspath_prepend(str(plugin_path))
    plugin_entries.cache_clear()
    yield
    plugin_entries.cache_clear()


SLOW_MODULES = (
    # end to end: the CLI on saved models, every zoo model in every format
    "test_cli.py",
    "test_crosscheck.py",
    "test_per_step.py",
    "test_streaming.py",
    "test_report.py",
    "test_models.py",
    "test_evaluate_cli.py",
    "test_compare.py",
    "test_relevance_crosscheck.py",
    "test_exactness.py",
    "test_joins.py",
    "test_score_stages_executors.py",
    # real clusters, browsers, installs and fresh processes
    "test_cluster.py",
    "test_browser.py",
    "test_report_legibility.py",
    "test_plugins.py",
    "test_startup.py",
    "test_interrupt.py",
    "test_ci_examples.py",
    "test_output_failures.py",
    "test_help_and_all.py",
    "test_fuzz_results.py",
)
SLOW_TESTS = (
    # end to end inside otherwise quick modules: a whole CLI or API run writing its outputs (``file::test``,
    # or ``file::test[params]`` for one case)
    "test_spectral.py::test_cli_writes_band_and_time_frequency_maps_with_their_axes_and_plots",
    # the browser
    "test_direct_svg.py::test_chromium_renders_the_direct_svg_as_matplotlibs_own",
    "test_cam_layer.py::test_the_manifest_names_the_layer_used",
    "test_bands.py::test_evaluate_judges_band_maps_against_a_random_band_order",
    "test_legible_plots.py::test_a_runs_manifest_gives_the_words",
    "test_resume.py::test_resume_replays_the_journal_and_ends_byte_identical",
    "test_api.py::test_the_api_writes_what_the_cli_writes",
    "test_api.py::test_in_memory_model_and_array_give_the_file_results",
    "test_params.py::test_generated_options_reach_the_request_and_the_manifest",
    "test_relevance_cli.py::test_deeplift_and_guided_gradcam_on_the_sample_model",
    "test_feature_charts.py::test_the_charts_are_shown_at_their_own_size_in_chromium",  # a browser
    "test_relevance_labels.py::test_a_relevance_run_writes_the_words_in_plots_overview_and_report",
    "test_heads.py::test_output_all_writes_one_ordinary_result_per_head",
    "test_multi_input.py::test_evaluate_scores_a_two_input_run_from_its_folder_and_computed",
    "test_multi_input.py::test_shards_merge_and_compare_read_two_input_runs",
    "test_multi_input.py::test_cli_reads_the_other_input_and_matches_the_api",
    # every zoo model in every format, bit for bit: a cross-check
    "test_fused_predictions.py::test_fused_chunks_equal_the_separate_passes_bit_for_bit",
    # a fresh process (the ``-m 'not slow'`` loop runs none)
    "test_plain_values.py::test_a_parsed_command_line_imports_no_pydantic",
    # the example plugin, pip-installed (``with_plugin``, asked for inside the test, so not seen as a fixture here)
    "test_contract.py::test_declaration_describes_itself[finite_difference]",
    "test_contract.py::test_attribute_keeps_the_contract[finite_difference]",
    # one format of a per-format test stays in the quick loop
    "test_relevance.py::test_every_covered_layer_kind[.h5]",
    "test_heads.py::test_each_head_equals_its_single_head_model[rhythm-.keras]",
    "test_heads.py::test_each_head_equals_its_single_head_model[rhythm-.h5]",
    "test_heads.py::test_each_head_equals_its_single_head_model[morph-.keras]",
    "test_heads.py::test_each_head_equals_its_single_head_model[morph-.h5]",
    # the closed forms of the CAMs and the evaluation scores in memory; their saved-and-reloaded twins run the same
    # code on the same weights (CAMs of reloaded models stay quick in test_cam_layer.py and test_cam.py's others)
    "test_cam.py::test_gradcam_closed_form[True-False-.keras]",
    "test_cam.py::test_gradcam_closed_form[True-False-.h5]",
    "test_cam.py::test_gradcam_closed_form[True-True-.keras]",
    "test_cam.py::test_gradcam_closed_form[True-True-.h5]",
    "test_cam.py::test_gradcam_closed_form[False-False-.keras]",
    "test_cam.py::test_gradcam_closed_form[False-False-.h5]",
    "test_cam.py::test_gradcam_closed_form[False-True-.keras]",
    "test_cam.py::test_gradcam_closed_form[False-True-.h5]",
    "test_cam.py::test_gradcam_plus_plus_closed_form[.keras]",
    "test_cam.py::test_gradcam_plus_plus_closed_form[.h5]",
    "test_cam.py::test_scorecam_closed_form[.keras]",
    "test_cam.py::test_scorecam_closed_form[.h5]",
    "test_robustness_scores.py::test_saliency_of_a_linear_model_has_zero_sensitivity[.keras]",
    "test_robustness_scores.py::test_saliency_of_a_linear_model_has_zero_sensitivity[.h5]",
    "test_robustness_scores.py::test_saliency_of_a_quadratic_model_by_hand[.keras]",
    "test_robustness_scores.py::test_saliency_of_a_quadratic_model_by_hand[.h5]",
    "test_faithfulness_scores.py::test_gradient_times_input_of_a_linear_model_correlates_perfectly[.keras]",
    "test_faithfulness_scores.py::test_gradient_times_input_of_a_linear_model_correlates_perfectly[.h5]",
    # one head of the per-head comparison stays in the quick loop: morph, chosen by index (the other quick head
    # tests choose by name)
    "test_heads.py::test_each_head_equals_its_single_head_model[rhythm-memory]",
)
SLOW_FIXTURES = {"plugin_path", "with_plugin", "cluster"}
"""Marked ``slow`` here, so they are listed once; ``pytest -m 'not slow'`` is the quick inner loop."""


def _leaves_out_slow(config) -> bool:
    """Whether ``-m`` deselects every ``slow`` test whatever other marks it has (``-m "not slow"``)."""
    markexpr = config.getoption("markexpr", "")
    if not markexpr:
        return False
    from _pytest.mark.expression import Expression

    try:
        expression = Expression.compile(markexpr)
    except Exception:  # pytest itself reports a bad expression
        return False

    def selected(others: bool) -> bool:
        return expression.evaluate(lambda name, **kwargs: name == "slow" or others)

    return not selected(False) and not selected(True)


def pytest_configure(config):
    if _leaves_out_slow(config):  # the quick loop fuzzes each reader with a third of the full suite's inputs
        os.environ.setdefault("FUZZ_EXAMPLES", "50")


def pytest_ignore_collect(collection_path, config):
    """A module whose every test is slow is not even imported when the slow tests are deselected: importing
    them (Dask, browsers, the zoo in every format) costs the quick loop seconds of collection for nothing."""
    if collection_path.name in SLOW_MODULES and _leaves_out_slow(config):
        return True
    return None


def pytest_collection_modifyitems(config, items):
    for item in items:
        names = {f"{item.path.name}::{item.name}", f"{item.path.name}::{getattr(item, 'originalname', item.name)}"}
        slow_fixture = SLOW_FIXTURES & set(getattr(item, "fixturenames", ()))
        if item.path.name in SLOW_MODULES or names & set(SLOW_TESTS) or slow_fixture:
            item.add_marker(pytest.mark.slow)
