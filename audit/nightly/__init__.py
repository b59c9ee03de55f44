"""Nightly operation: the pipeline (crawl → audit → render), its run lock and record, the schedule, the demo.

- :mod:`audit.nightly.pipeline`: :func:`~audit.nightly.pipeline.run_pipeline`, the steps as named
  functions in one declared order, a run record (``NightlyRun``) with each step's counts, time and
  outcome, and the Chinese summary printed and kept;
- :mod:`audit.nightly.lock`: the run lock, one database row with a holder and a heartbeat, so that
  two schedulers or a manual run never overlap on any machine; stale locks are released;
- :mod:`audit.nightly.schedule`: the APScheduler 3 scheduler ``scheduler.py`` runs (cron from the
  settings, the job store in the same database, coalesce, one instance, misfire grace);
- :mod:`audit.nightly.demo`: ``gkaudit demo``, the whole pipeline against demo portals built from
  the project's own sample, on 127.0.0.1;
- :mod:`audit.nightly.console`: progress of long steps on a terminal.

Recipes: a new step of the pipeline goes into ``pipeline.STEPS`` (see its docstring); a new planted
case of the demo into ``demo.plan_sites``, with its expected finding in ``demo.PLANTED``.
"""
