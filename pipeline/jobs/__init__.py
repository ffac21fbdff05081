"""The jobs: the only layer that mixes reading and writing files with the rules, one module per use.

- :mod:`pipeline.jobs.monthly`: one payroll month (load -> check -> compute -> manifest -> publish);
- :mod:`pipeline.jobs.partitioned`: the same month in employee-id partitions on a Dask cluster;
- :mod:`pipeline.jobs.claims`: the semester claim file of the ONEM frontier allowance.
"""
