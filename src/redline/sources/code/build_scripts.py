"""Python scripts the image build runs: a module a Dockerfile's ``RUN`` line runs as a program (``RUN python
$MEALIE_HOME/mealie/scripts/install_model.py``, the variables expanded with the image's ``ENV``), that no module of
the application imports, that the deployment does not start and that runs no server.

mealie downloads a language model at build time with ``requests.get`` and no timeout: a stalled download holds an
image build, not a worker that requests queue behind. Timeout findings there are kept in the context section at
low, and latency rules do not judge such a script, as for scripts run by hand (``hand_run.py``).
"""

from __future__ import annotations

from redline.core.facts import Facts
from redline.sources.code.hand_run import named_by, runs_as_program, serves, started_scripts, unimported
from redline.sources.code.model import CodeIndex
from redline.sources.containers.dockerfile import Dockerfile, substitute
from redline.sources.containers.image_paths import image_env
from redline.sources.containers.script_commands import scripts_of

#: why a finding in such a script is shown apart (the evidence's ``context``)
BUILD_SCRIPT = (
    "a script the image build runs (a Dockerfile RUN line; neither imported by the application nor started by its "
    "deployment): no request waits on it"
)


def run_at_build(facts: Facts) -> frozenset[str]:
    """The scripts the Dockerfiles' ``RUN`` lines run, as written once the image's variables are expanded."""
    found: set[str] = set()
    for dockerfile in facts.of(Dockerfile):
        for ins in dockerfile.instructions:
            if ins.cmd != "RUN" or ins.heredoc:
                continue
            env = image_env(dockerfile, ins.stage)
            words = ins.exec_form
            found.update(
                scripts_of([substitute(w, env) for w in words] if words is not None else substitute(ins.arguments, env))
            )
    return frozenset(found)


def project_build_scripts(facts: Facts) -> frozenset[str]:
    """The paths of the Python modules that are build scripts (see the module doc), once per run through
    ``ctx.scope.derived``."""
    built = run_at_build(facts)
    if not built:
        return frozenset()
    started = started_scripts(facts)
    python = [i for i in facts.of(CodeIndex) if i.language == "python"]
    candidates = [
        i
        for i in python
        if named_by(i.path, built) and runs_as_program(i) and not serves(i) and not named_by(i.path, started)
    ]
    return unimported(candidates, python)
