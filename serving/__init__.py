"""Running the advisor like production: a guarded `rasa run` and a resilient tracker store.

`python -m serving run ...` is `rasa run ...` with the turn guard of `serving.guard`
installed; `serving.tracker_store.ResilientSQLTrackerStore` is the tracker store named in
endpoints.yml. No Rasa behaviour changes on the happy path.
"""
