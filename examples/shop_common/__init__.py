"""What both versions of the example shop share: seeded data and the upstream client.

The API surface (routes, request and response models) lives in ``shop_v1/app.py`` and
``shop_v2/app.py`` so that the difference between the two files *is* the contract change.
"""
