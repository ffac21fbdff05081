"""The jobs: the only layer that mixes reading and writing files with the rules, one module per use.

- :mod:`pipeline.jobs.monthly`: one payroll month (load -> check -> compute -> manifest -> publish);
- :mod:`pipeline.jobs.partitioned`: the same month in employee-id partitions on a Dask cluster;
- :mod:`pipeline.jobs.bureau`: a payroll bureau's month, every client folder of an inbox;
- :mod:`pipeline.jobs.quarterly`: the quarterly DmfA export from the run store;
- :mod:`pipeline.jobs.claims`: the semester claim file of the ONEM frontier allowance;
- :mod:`pipeline.jobs.worker`: where a Prefect worker runs the deployments (the project folder).
"""
