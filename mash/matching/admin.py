"""Person matching is casework, not configuration, so none of its models is in the admin.

Jobs, pairs, extract rows and merges carry children's details and every view of them is audited,
which the matching pages (mash.matching.views) do and the admin would not. The thresholds the jobs
use are partnership settings (match_review_threshold, match_strong_threshold), edited with the
partnership in the admin; model versions are trained with `manage.py train_matching_model` and
switched on the model pages.
"""
