"""The suite's root conftest: the place to adapt gonogo to your service without forking it.

gonogo's fixtures (``environment``, ``base_url``, ``http``, ``secrets``, ``expected_version``) come from
the plugin; override any of them here or in a folder's conftest.py, e.g. to log in before the checks::

    @pytest.fixture(scope="session")
    def http(http):
        http.post("/login", json={...}).raise_for_status()
        return http

Your own checks go beside gonogo's: ``checks/`` (precheck), ``smoke/`` (smoke), ``load/`` (postdeploy).
"""
