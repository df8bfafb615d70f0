# RISCOF device-under-test plugin for ftrace-lab: compiles each architectural test with the link script and
# model_test.h of env/, runs it with `ftrace-lab run --signature`, and leaves DUT-ftrace_lab.signature in the
# test's work directory for RISCOF to compare with the reference model's.
import os
import shlex

import riscof.utils as utils
from riscof.pluginTemplate import pluginTemplate


class ftrace_lab(pluginTemplate):
    __model__ = "ftrace_lab"
    __version__ = "0.1.0"

    def __init__(self, *args, **kwargs):
        sclass = super().__init__(*args, **kwargs)
        config = kwargs.get("config")
        if config is None:
            raise SystemExit("ftrace_lab: the [ftrace_lab] section of config.ini is missing")
        # PATH may name the folder holding the ftrace-lab executable (npm's node_modules/.bin, say).
        self.dut_exe = os.path.join(config.get("PATH", ""), "ftrace-lab")
        self.num_jobs = str(config.get("jobs", 1))
        self.pluginpath = os.path.abspath(config["pluginpath"])
        self.isa_spec = os.path.abspath(config["ispec"])
        self.platform_spec = os.path.abspath(config["pspec"])
        # Must equal the reference plugin's granularity (8 for riscv-arch-test 3.10's rv64 sail_cSim, 4 otherwise).
        self.granularity = str(config.get("signature_granularity", 4))
        self.target_run = config.get("target_run", "1") != "0"
        self.timeout = int(config.get("timeout", 3600))
        return sclass

    def initialise(self, suite, work_dir, archtest_env):
        self.work_dir = work_dir
        self.suite_dir = suite
        env = os.path.join(self.pluginpath, "env")
        self.compile_cmd = (
            "riscv64-unknown-elf-gcc -march={march} -mabi={mabi} -static -mcmodel=medany -fvisibility=hidden"
            " -nostdlib -nostartfiles -T " + shlex.quote(os.path.join(env, "link.ld")) +
            " -I " + shlex.quote(env) + " -I " + shlex.quote(archtest_env) + " {macros} -o {elf} {test}"
        )

    def build(self, isa_yaml, platform_yaml):
        ispec = utils.load_yaml(isa_yaml)["hart0"]
        if 64 not in ispec["supported_xlen"]:
            raise SystemExit("ftrace_lab: the emulator is RV64 only")
        self.mabi = "lp64d" if "D" in ispec["ISA"] else "lp64"

    def runTests(self, testList):
        make = utils.makeUtil(makefilePath=os.path.join(self.work_dir, "Makefile." + self.name[:-1]))
        make.makeCommand = "make -k -j" + self.num_jobs
        for entry in testList.values():
            test_dir = entry["work_dir"]
            elf = "ftrace-lab.elf"
            signature = os.path.join(test_dir, self.name[:-1] + ".signature")
            macros = " ".join("-D" + m for m in entry["macros"])
            # an F/D test compiled for lp64d needs the d extension in -march; other tests use lp64
            march = entry["isa"].lower()
            mabi = "lp64d" if "d" in march[4:].split("_")[0] else "lp64"
            compile_cmd = self.compile_cmd.format(march=march, mabi=mabi, macros=macros, elf=elf, test=shlex.quote(entry["test_path"]))
            if self.target_run:
                run_cmd = "{0} run --max-insns 1e9 --signature {1} --signature-granularity {2} {3}".format(
                    shlex.quote(self.dut_exe), shlex.quote(signature), self.granularity, elf)
            else:
                run_cmd = 'echo "NO RUN"'
            make.add_target("@cd {0}; {1}; {2};".format(shlex.quote(test_dir), compile_cmd, run_cmd))
        make.execute_all(self.work_dir, timeout=self.timeout)
        if not self.target_run:
            raise SystemExit(0)
