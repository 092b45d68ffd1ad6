"""Tests of deploy/spark/flowaudit_spark.py: its planning functions, its command line, and real Spark jobs
in local mode whose reports must equal those of one `flowaudit analyze`, byte for byte.

    .build-spark/venv/bin/python -m unittest discover -s deploy/spark/tests -v

FLOWAUDIT_BIN names the flowaudit executable (default .build/release/flowaudit; flowaudit-samples is
taken beside it). The Spark tests need pyspark and Java; without them they are skipped, unless
FLOWAUDIT_REQUIRE_SPARK=1 (CI), which makes their absence a failure.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

REPOSITORY = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
DRIVER = os.path.join(REPOSITORY, "deploy", "spark", "flowaudit_spark.py")
BINARY = os.path.abspath(os.environ.get("FLOWAUDIT_BIN", os.path.join(REPOSITORY, ".build", "release", "flowaudit")))
SAMPLES = os.path.join(os.path.dirname(BINARY), "flowaudit-samples")
REQUIRE_SPARK = os.environ.get("FLOWAUDIT_REQUIRE_SPARK") == "1"

sys.path.insert(0, os.path.dirname(DRIVER))
import flowaudit_spark as driver  # noqa: E402


def spark_missing() -> str | None:
    """Why the Spark tests cannot run here, or None."""
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (deploy/spark/setup.sh installs it)"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "Java is not installed (deploy/spark/setup.sh installs it)"
    if not os.access(BINARY, os.X_OK):
        return f"no flowaudit executable at {BINARY}; swift build -c release"
    return None


def run_driver(arguments: list[str], cwd: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, DRIVER, *arguments], cwd=cwd, capture_output=True, check=False, timeout=600)


def file(name: str, size: int, argument: int = 0) -> driver.InputFile:
    return driver.InputFile(name, "file:/logs/" + name, size, argument)


class PlanningTests(unittest.TestCase):
    """The driver's pure functions: names, order, groups, placement."""

    def test_path_order_is_flowaudits(self):
        # InputPathOrder: component by component, each by its bytes; a folder's files before a sibling file
        # whose name extends the folder's.
        names = ["logs/x.json", "logs/x/b.json", "logs/X.json", "logs/x/a.json", "logs/x-y.json", "a"]
        ordered = sorted(names, key=driver.path_order_key)
        self.assertEqual(
            ordered, ["a", "logs/X.json", "logs/x/a.json", "logs/x/b.json", "logs/x-y.json", "logs/x.json"]
        )

    def test_groups_hold_every_file_once_balanced_and_deterministic(self):
        files = [file(f"d/{index:02}.json", size) for index, size in enumerate([90, 10, 40, 40, 30, 5, 5, 0, 0, 70])]
        for count in range(1, 13):
            groups = driver.balanced_groups(files, count)
            self.assertEqual(len(groups), min(count, len(files)))
            names = [item.name for group in groups for item in group]
            self.assertEqual(sorted(names), sorted(item.name for item in files), f"{count} groups")
            self.assertTrue(all(groups), f"an empty group of {count}")
            for group in groups:
                self.assertEqual(
                    [item.name for item in group], sorted((item.name for item in group), key=driver.path_order_key)
                )
            self.assertEqual(groups, driver.balanced_groups(list(reversed(files)), count))
        loads = sorted(sum(item.size for item in group) for group in driver.balanced_groups(files, 3))
        self.assertEqual(loads, [95, 95, 100])

    def test_task_count(self):
        files = [file(f"{index}.json", 100 << 20) for index in range(10)]
        self.assertEqual(driver.task_count(None, 2, files), 4)  # 1000 MiB at 256 MiB a task
        self.assertEqual(driver.task_count(None, 8, files), 8)  # at least the parallelism
        self.assertEqual(driver.task_count(None, 16, files), 10)  # at most one task a file
        self.assertEqual(driver.task_count(3, 16, files), 3)
        self.assertEqual(driver.task_count(30, 2, files), 10)

    def test_names_as_flowaudit_records_them(self):
        self.assertEqual(driver.joined("logs", "a.json"), "logs/a.json")
        self.assertEqual(driver.joined("logs/", "a.json"), "logs/a.json")
        self.assertEqual(driver.recorded_name("logs", "file:/work/logs"), "logs")
        self.assertEqual(driver.recorded_name("../logs", "file:/logs"), "../logs")
        self.assertEqual(driver.recorded_name("/data/logs", "file:/data/logs"), "file:/data/logs")
        uri = "abfss://logs@account.dfs.core.windows.net/y=2026"
        self.assertEqual(driver.recorded_name(uri, uri), uri)
        self.assertEqual(driver.resolve_relative("cfg/.flowaudit.toml", "exports/nsg.json"), "cfg/exports/nsg.json")
        self.assertEqual(driver.resolve_relative("cfg/.flowaudit.toml", "/etc/nsg.json"), "/etc/nsg.json")
        self.assertEqual(driver.resolve_relative(".flowaudit.toml", "nsg.json"), "nsg.json")
        self.assertTrue(driver.is_log_file_name("PT1H.JSON"))
        self.assertFalse(driver.is_log_file_name("notes.txt"))

    def test_placement_stays_in_the_scratch_folder(self):
        self.assertEqual(driver.climb("logs/a.json"), 0)
        self.assertEqual(driver.climb("../../logs/a.json"), 2)
        self.assertEqual(driver.climb("logs/../../x/a.json"), 1)
        self.assertEqual(driver.climb("abfss://c@a.dfs.core.windows.net/x"), 0)
        root = "/scratch/logs/up/up"
        self.assertEqual(driver.place(root, "../../logs/a.json"), "/scratch/logs/logs/a.json")
        self.assertEqual(driver.place(root, "./x//a.json"), "/scratch/logs/up/up/x/a.json")
        self.assertEqual(
            driver.place("/s", "abfss://c@a.dfs.core.windows.net/x/a.json"),
            "/s/abfss:/c@a.dfs.core.windows.net/x/a.json",
        )

    def test_names_spark_cannot_read_are_refused_and_globs_escaped(self):
        self.assertIsNone(driver.unreadable_by_spark("file:/logs/y=2026/m=07/PT1H.json"))
        self.assertIsNone(driver.unreadable_by_spark("abfss://c@acct.dfs.core.windows.net/y=2026/a b%.json"))
        self.assertIn("'_'", driver.unreadable_by_spark("file:/logs/_x.json"))
        self.assertIn("'.'", driver.unreadable_by_spark("file:/.x.json"))
        self.assertIn("','", driver.unreadable_by_spark("file:/logs/a,b.json"))
        self.assertIn("':'", driver.unreadable_by_spark("abfss://c@acct.dfs.core.windows.net/a:b.json"))
        self.assertEqual(driver.spark_input_path("file:/l/[a]*?.json"), r"file:/l/\[a\]\*\?.json")

    def test_task_plan_passes_the_arguments_that_reach_its_files(self):
        listing = driver.Listing(
            [file("logs/a.json", 1, 0), file("one.json", 1, 1), file("logs/b.json", 1, 0)],
            ["logs", "one.json"],
            {0},
        )
        plans = driver.task_plan([[listing.files[0], listing.files[2]], [listing.files[1]]], listing)
        self.assertEqual(plans[0]["arguments"], ["logs"])
        self.assertEqual(plans[0]["directories"], ["logs"])
        self.assertEqual(plans[1]["arguments"], ["one.json"])
        self.assertEqual(plans[1]["directories"], [])


class CommandLineTests(unittest.TestCase):
    """The command line, checked before Spark starts: exit status 2 and a message."""

    @classmethod
    def setUpClass(cls):
        if not os.access(BINARY, os.X_OK):
            raise unittest.SkipTest(f"no flowaudit executable at {BINARY}")
        cls.analyze = driver.command_options(BINARY, "analyze")
        cls.merge = driver.command_options(BINARY, "merge")

    def sort(self, words):
        return driver.sort_analyze_arguments(words, self.analyze, self.merge)

    def test_arguments_go_where_they_belong(self):
        sorted_ = self.sort(
            [
                "logs",
                "--region",
                "chinaeast2",
                "--no-public-ip",
                "--nsg-export=a.json",
                "--config",
                "c.toml",
                "--fail-on",
                "medium",
                "--quiet",
                "--partial",
                "p.partial",
                "--format=json",
                "more",
                "--jobs",
                "3",
                "--",
                "--odd-name.json",
            ]
        )
        self.assertEqual(sorted_.paths, ["logs", "more", "--odd-name.json"])
        self.assertEqual(sorted_.task_flags, ["--region", "chinaeast2", "--no-public-ip", "--jobs", "3"])
        self.assertEqual(
            sorted_.report_flags, ["--fail-on", "medium", "--quiet", "--partial", "p.partial", "--format", "json"]
        )
        self.assertEqual(sorted_.settings_files, {"--nsg-export": ["a.json"], "--config": ["c.toml"]})
        self.assertTrue(sorted_.quiet and sorted_.jobs_given)
        self.assertEqual(sorted_.partial, "p.partial")

    def test_refusals(self):
        for words, message in [
            (["logs", "--shard", "1/2"], "--shard"),
            (["logs", "--json", "r.json"], "report.json"),
            (["logs", "--junit", "r.xml"], "report.xml"),
            (["logs", "--markdown", "r.md"], "report.md"),
            (["logs", "--html", "r.html"], "report.html"),
            (["-"], "standard input"),
            (["logs", "--fail-at", "high"], "unknown option '--fail-at'"),
            (["logs", "--quiet=yes"], "takes no value"),
            (["logs", "--region"], "needs a value"),
            (["--region", "eastus"], "no PATH"),
            (["logs", "--from", "24h"], "relative to the newest log"),
            (["logs", "--to=90m"], "relative to the newest log"),
        ]:
            with self.assertRaises(driver.UsageError, msg=words) as caught:
                self.sort(words)
            self.assertIn(message, str(caught.exception))

    def test_driver_exits_2_with_a_message(self):
        missing = os.path.join(tempfile.gettempdir(), "no-such-flowaudit")
        for arguments, message in [
            (["--flowaudit", missing, "--output", "out", "logs"], "no such file"),
            (["--output", "out", "logs"], "--flowaudit BIN is required"),
            (["--flowaudit", BINARY, "logs"], "--output DIR is required"),
            (["--flowaudit", BINARY, "--output", "out", "--tasks", "0", "logs"], "--tasks takes a whole number"),
            (["--flowaudit", BINARY, "--output", "out", "--merge-width", "1", "x"], "at least 2"),
            (["--flowaudit", BINARY, "--output", "out", "--conf", "novalue", "x"], "KEY=VALUE"),
            (["--flowaudit", BINARY, "--output", "out", "logs", "--shard", "1/2"], "drop --shard"),
            (["--flowaudit", BINARY, "--output", "out", "--region", "eastus"], "no PATH"),
            (["--flowaudit", __file__, "--output", "out", "logs"], "cannot run"),
        ]:
            with tempfile.TemporaryDirectory() as folder:
                done = run_driver(arguments, folder)
            self.assertEqual(done.returncode, 2, arguments)
            self.assertIn(message, done.stderr.decode(), arguments)
            self.assertEqual(done.stdout, b"", arguments)

    def test_help(self):
        done = run_driver(["--help"], REPOSITORY)
        self.assertEqual(done.returncode, 0)
        self.assertIn("--flowaudit BIN", done.stdout.decode())


@unittest.skipIf(spark_missing() and not REQUIRE_SPARK, spark_missing() or "")
class SparkJobTests(unittest.TestCase):
    """Real Spark in local mode (local[2]): the job's reports, standard output and exit status equal one
    `flowaudit analyze`'s, byte for byte."""

    REPORTS = ("report.json", "report.xml", "report.md", "report.html")
    SPARK = ["--master", "local[2]", "--conf", "spark.ui.enabled=false"]

    @classmethod
    def setUpClass(cls):
        missing = spark_missing()
        if missing:
            raise AssertionError(f"FLOWAUDIT_REQUIRE_SPARK=1 but {missing}")
        cls.folder = tempfile.mkdtemp(prefix="flowaudit-spark-test-")
        cls.corpus = os.path.join(cls.folder, "corpus")
        write_corpus(cls.corpus)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.folder, ignore_errors=True)

    def single_run(self, arguments: list[str], cwd: str, output: str) -> subprocess.CompletedProcess:
        os.makedirs(output)
        reports = [os.path.join(output, name) for name in self.REPORTS]
        command = [BINARY, "analyze", *arguments, "--json", reports[0], "--junit", reports[1], "--markdown", reports[2]]
        command += ["--html", reports[3]]
        return subprocess.run(command, cwd=cwd, capture_output=True, check=False)

    def spark_run(self, arguments: list[str], cwd: str, output: str, binary: str = BINARY):
        return run_driver(["--flowaudit", binary, *self.SPARK, "--output", output, *arguments], cwd)

    def output_name(self, which: str) -> str:
        return os.path.join(self.folder, re.sub(r"[^A-Za-z0-9]+", "-", self.id().rsplit(".", 1)[-1]), which)

    def compare(self, arguments, cwd, spark_options=(), rewrite=None, binary=BINARY, single_options=(), uri=False):
        """Runs both and asserts the same exit status, standard output and report files."""
        single_output = self.output_name("single")
        spark_output = self.output_name("spark")
        single = self.single_run([*arguments, *single_options], cwd, single_output)
        given_output = "file:" + spark_output if uri else spark_output
        spark = self.spark_run([*spark_options, *arguments], cwd, given_output, binary)
        self.assertEqual(spark.returncode, single.returncode, spark.stderr.decode()[-3000:])
        self.assertIn(single.returncode, (0, 1))
        rewrite = rewrite or (lambda text: text)
        self.assertEqual(rewrite(spark.stdout), single.stdout)
        for report in self.REPORTS:
            with open(os.path.join(single_output, report), "rb") as handle:
                expected = handle.read()
            with open(os.path.join(spark_output, report), "rb") as handle:
                self.assertEqual(rewrite(handle.read()), expected, report)
        return single, spark

    def report(self, which: str) -> dict:
        with open(os.path.join(self.output_name(which), "report.json")) as handle:
            return json.load(handle)

    def test_sample_logs(self):
        single, _ = self.compare(["sample-logs"], REPOSITORY)
        self.assertEqual(single.returncode, 1)  # the demo holds a finding of each kind
        self.assertGreater(self.report("spark")["inputs"]["flows"], 0)

    def test_generated_corpus_in_a_merge_tree(self):
        # The configuration found in the folder, its exports left out of the walk, a hidden folder and a
        # .txt file skipped, a damaged blob, odd names; 7 tasks merged two at a time: 7 → 4 → 2, then the
        # driver.
        single, spark = self.compare(
            ["corpus", "--fail-on", "medium"], self.folder, ["--tasks", "7", "--merge-width", "2"]
        )
        report = self.report("spark")
        self.assertEqual(report["inputs"]["files"], 30)
        self.assertEqual([error["file"] for error in report["inputs"]["errors"]], ["corpus/damaged/PT1H.json.gz"])
        self.assertTrue(report["findings"])
        self.assertIn("30 files", spark.stderr.decode())
        self.assertIn("7 tasks", spark.stderr.decode())

    def test_files_named_twice_explicit_config_json_output_and_partial(self):
        nsg = "sample-logs/insights-logs-networksecuritygroupflowevent"
        blob = os.path.relpath(
            sorted(
                os.path.join(folder, name)
                for folder, _, names in os.walk(os.path.join(REPOSITORY, nsg))
                for name in names
            )[0],
            REPOSITORY,
        )
        arguments = [
            "./sample-logs/insights-logs-flowlogflowevent",
            blob,
            "./" + blob,
            nsg,
            "--config",
            "sample-logs/.flowaudit.toml",
            "--region",
            "chinanorth3",
            "--format",
            "json",
            "--fail-on",
            "never",
        ]
        single_partial = os.path.join(self.folder, "single.partial")
        spark_partial = os.path.join(self.folder, "spark.partial")
        single, _ = self.compare(
            arguments,
            REPOSITORY,
            ["--tasks", "4", "--partial", spark_partial],
            single_options=["--partial", single_partial],
        )
        self.assertEqual(single.returncode, 0)
        # The demo's VNet blobs (three hours of three NICs, one missing) and NSG blobs, the one named twice once.
        self.assertEqual(json.loads(single.stdout)["inputs"]["files"], 8 + 9)
        with open(single_partial, "rb") as expected, open(spark_partial, "rb") as merged:
            self.assertEqual(merged.read(), expected.read(), "the merged partial result")

    def test_paths_above_the_working_folder(self):
        work = os.path.join(self.folder, "work")
        os.makedirs(work, exist_ok=True)
        self.compare(
            ["../corpus/nsg-a", "../corpus/damaged", "--config", "../corpus/.flowaudit.toml", "--quiet"],
            work,
            ["--tasks", "3"],
        )

    def test_absolute_paths_are_named_by_their_uri(self):
        # An absolute path has no place in a task's scratch folder: the reports name it file:/…, the rest is
        # the single run's. The binary and the output folder are given as URIs too: Spark fetches the one and
        # writes the other. Standard output shows the JSON report: the text report wraps long paths, so the
        # prefix would move its line breaks.
        absolute = os.path.join(self.corpus, "nsg-b")
        self.compare(
            [
                absolute,
                os.path.join(self.corpus, "damaged"),
                "--config",
                os.path.join(self.corpus, ".flowaudit.toml"),
                "--format",
                "json",
            ],
            self.folder,
            ["--tasks", "5"],
            # Markdown escapes the colon (file\:/tmp/…); the HTML report's anchors turn it into a dash
            # (#finding-input-error-file--tmp-…).
            rewrite=lambda text: re.sub(rb"file\\?:(?=/)|(?<=-)file-(?=-)", b"", text),
            binary="file:" + BINARY,
            uri=True,
        )

    def test_errors_stop_the_job_with_exit_status_2(self):
        empty = os.path.join(self.folder, "empty")
        os.makedirs(os.path.join(empty, "sub"), exist_ok=True)
        bad = os.path.join(self.folder, "bad.toml")
        with open(bad, "w") as handle:
            handle.write('cloud = "mars"\n')
        underscore = os.path.join(self.folder, "underscore")
        os.makedirs(underscore, exist_ok=True)
        shutil.copy(os.path.join(self.corpus, "damaged", "PT1H.json.gz"), os.path.join(underscore, "_x.json"))
        for arguments, message in [
            (["empty"], "'empty' holds no log files"),
            (["underscore"], "cannot read 'underscore/_x.json' with Spark: its name starts with '_'"),
            (["corpus/nsg-a", "missing"], "cannot open 'missing'"),
            (["corpus/nsg-a", "--config", bad], "bad.toml"),
        ]:
            done = self.spark_run(arguments, self.folder, os.path.join(self.folder, "error-output"))
            self.assertEqual(done.returncode, 2, arguments)
            self.assertIn(message, done.stderr.decode(), arguments)
            self.assertEqual(done.stdout, b"", arguments)
            self.assertFalse(os.path.exists(os.path.join(self.folder, "error-output", "report.json")))


class KubernetesRecipeTests(unittest.TestCase):
    """docs/spark.md's Kubernetes Jobs: manifests that fit together, and their shell commands, run as the pods
    would run them (with the volumes as folders here), give the reports of one flowaudit analyze."""

    @classmethod
    def setUpClass(cls):
        try:
            import yaml
        except ImportError:
            if REQUIRE_SPARK:
                raise
            raise unittest.SkipTest("PyYAML is not installed (deploy/spark/setup.sh installs it)")
        if not os.access(BINARY, os.X_OK):
            raise unittest.SkipTest(f"no flowaudit executable at {BINARY}")
        with open(os.path.join(REPOSITORY, "docs", "spark.md")) as handle:
            blocks = re.findall(r"```yaml\n(.*?)```", handle.read(), re.S)
        jobs = [document for block in blocks for document in yaml.safe_load_all(block) if document]
        cls.shards = next(job for job in jobs if job["spec"].get("completionMode") == "Indexed")
        cls.merge = next(job for job in jobs if job["metadata"]["name"] == "flowaudit-merge")

    @staticmethod
    def container(job):
        spec = job["spec"]["template"]["spec"]
        (container,) = spec["containers"]
        return spec, container

    def test_manifests_fit_together(self):
        count = self.shards["spec"]["completions"]
        for job in (self.shards, self.merge):
            self.assertEqual((job["apiVersion"], job["kind"]), ("batch/v1", "Job"))
            spec, container = self.container(job)
            self.assertEqual(spec["restartPolicy"], "Never")
            self.assertEqual(container["command"], ["/bin/sh", "-c"])
            mounts = {mount["name"]: mount for mount in container["volumeMounts"]}
            volumes = {volume["name"]: volume for volume in spec["volumes"]}
            self.assertEqual(set(mounts), set(volumes))
            self.assertEqual(mounts["out"]["mountPath"], "/out")
            self.assertEqual(mounts["out"]["subPath"], "review-2026-07")
            self.assertEqual(volumes["out"]["persistentVolumeClaim"]["claimName"], "flowaudit-out")
        shard_script = self.container(self.shards)[1]["args"][0]
        merge_script = self.container(self.merge)[1]["args"][0]
        self.assertEqual(self.shards["spec"]["parallelism"], count)
        self.assertIn(f"--shard $((JOB_COMPLETION_INDEX+1))/{count}", shard_script)
        self.assertIn("--partial /out/part-$JOB_COMPLETION_INDEX.partial", shard_script)
        self.assertIn(f'test "$(ls /out/part-*.partial | wc -l)" -eq {count} &&', merge_script)
        self.assertIn("flowaudit merge /out/part-*.partial", merge_script)

    def test_commands_give_the_reports_of_one_run(self):
        count = self.shards["spec"]["completions"]
        with tempfile.TemporaryDirectory() as folder:
            logs, out, config = (os.path.join(folder, name) for name in ("logs", "out", "config"))
            for name in os.listdir(os.path.join(REPOSITORY, "sample-logs")):
                if name.startswith("insights-logs-"):
                    shutil.copytree(os.path.join(REPOSITORY, "sample-logs", name), os.path.join(logs, name))
            shutil.copytree(os.path.join(REPOSITORY, "sample-logs", "exports"), os.path.join(config, "exports"))
            shutil.copy(os.path.join(REPOSITORY, "sample-logs", ".flowaudit.toml"), config)
            os.makedirs(out)

            def pod(script: str, **environment: str) -> int:
                for mount, local in (("/logs", logs), ("/out", out), ("/config", config)):
                    script = script.replace(mount + "/", local + "/").replace(mount + " ", local + " ")
                path = os.path.dirname(BINARY) + os.pathsep + os.environ["PATH"]
                done = subprocess.run(
                    ["/bin/sh", "-c", script], env={**os.environ, "PATH": path, **environment}, capture_output=True
                )
                return done.returncode

            shard_script = self.container(self.shards)[1]["args"][0]
            merge_script = self.container(self.merge)[1]["args"][0]
            for index in range(count):
                self.assertEqual(pod(shard_script, JOB_COMPLETION_INDEX=str(index)), 0, f"pod {index}")
            self.assertEqual(len(os.listdir(out)), count)
            single = os.path.join(folder, "single")
            os.makedirs(single)
            command = [BINARY, "analyze", logs, "--config", os.path.join(config, ".flowaudit.toml"), "--quiet"]
            for flag, name in (
                ("--json", "report.json"), ("--junit", "report.xml"), ("--markdown", "report.md"),
                ("--html", "report.html"),
            ):
                command += [flag, os.path.join(single, name)]
            expected_status = subprocess.run(command, capture_output=True).returncode
            self.assertEqual(expected_status, 1)  # the demo's findings
            self.assertEqual(pod(merge_script), expected_status)
            for name in ("report.json", "report.xml", "report.md", "report.html"):
                with open(os.path.join(single, name), "rb") as one, open(os.path.join(out, name), "rb") as merged:
                    self.assertEqual(merged.read(), one.read(), name)
            # A shard whose partial is missing stops the merge (its files would be left out).
            os.remove(os.path.join(out, "part-3.partial"))
            os.remove(os.path.join(out, "report.json"))
            self.assertNotEqual(pod(merge_script), 0)
            self.assertFalse(os.path.exists(os.path.join(out, "report.json")))
            # A pod whose logs cannot be read writes no partial and fails.
            self.assertNotEqual(pod(shard_script.replace("/logs", "/missing"), JOB_COMPLETION_INDEX="3"), 0)


def write_corpus(folder: str) -> None:
    """A blob corpus from the project's generator: 24 gzipped NSG v2 and VNet v4 blobs in two folders (about
    two and four hours of one record a minute), the demo's configuration and rule exports, a damaged blob, a
    hidden folder and a file that is not a log."""
    for name, megabytes in (("nsg-a", 1), ("nsg-b", 2)):
        subprocess.run(
            [SAMPLES, "corpus", "--output", os.path.join(folder, name), "--files", "12", "--megabytes", str(megabytes)],
            check=True,
            capture_output=True,
        )
    shutil.copy(os.path.join(REPOSITORY, "sample-logs", ".flowaudit.toml"), folder)
    shutil.copytree(os.path.join(REPOSITORY, "sample-logs", "exports"), os.path.join(folder, "exports"))
    os.makedirs(os.path.join(folder, "damaged"))
    with open(os.path.join(folder, "nsg-b", "blob-003-vnet.json.gz"), "rb") as handle:
        cut = handle.read()[:50000]
    with open(os.path.join(folder, "damaged", "PT1H.json.gz"), "wb") as handle:
        handle.write(cut)
    # Names that Spark's paths must carry as they are: glob characters, a space, a percent sign, non-ASCII
    # letters, a backslash.
    nsg = os.path.join(REPOSITORY, "sample-logs", "insights-logs-networksecuritygroupflowevent")
    blobs = sorted(os.path.join(parent, name) for parent, _, names in os.walk(nsg) for name in names)
    os.makedirs(os.path.join(folder, "odd"))
    for blob, name in zip(
        blobs, ["a[1]*?.json.gz", "with space.json.gz", "per%25cent.json.gz", "ü-é.json.gz", "b\\s.gz"]
    ):
        shutil.copy(blob, os.path.join(folder, "odd", name))
    os.makedirs(os.path.join(folder, ".hidden"))
    with open(os.path.join(folder, ".hidden", "PT1H.json"), "wb") as handle:
        handle.write(b"not a log")
    with open(os.path.join(folder, "notes.txt"), "wb") as handle:
        handle.write(gzip.compress(b"not a log either"))


if __name__ == "__main__":
    unittest.main()
