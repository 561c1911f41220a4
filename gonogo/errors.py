"""gonogo's one exception base: catch :class:`GonogoError` to catch any error gonogo raises on purpose.

Every module defines its errors beside the code that raises them, each a subclass of this base
(and of ``ValueError`` where the error is about a value someone gave)::

    GonogoError
    ├── EnvironmentFileError        gonogo.environment: the environment file is missing or wrong
    │   └── UnknownEnvironmentError     no environments/<name>.toml
    ├── RunOptionsError             gonogo.run_options: --env / --stage / ... given wrongly
    ├── LaunchError                 gonogo.launch: the [launch] target did not start or get ready
    ├── probe errors                gonogo.probes.*: a file or endpoint a check reads is unusable
    │   (DnsError, JUnitError, LockfileError, SchemaFileError, TlsProbeError, WranglerError)
    ├── PlanError, MeasurementsError   gonogo.loadgen: a load plan or measurements file that cannot be used
    ├── CompareConfigError, PrometheusError   gonogo.bluegreen
    ├── ReportError                 gonogo.reporting.html: the HTML report cannot be rendered
    └── DemoSettingsError           gonogo.demo: a fault knob given wrongly

This module imports nothing, so any module can use it.
"""

from __future__ import annotations


class GonogoError(Exception):
    """Base of every error gonogo raises on purpose (an error anywhere else is a bug in gonogo)."""
