"""Public conformance checks that every resampler (and later sampler and loss) passes.

Run them in a test suite, one pytest case per check::

    @pytest.mark.parametrize("name, check", resampler_checks(SMOTE()))
    def test_smote_conforms(name, check):
        check()

or all at once with :func:`check_resampler`.
"""

from ._params import check_params_contract
from ._resampler import check_resampler, resampler_checks

__all__ = ["check_params_contract", "check_resampler", "resampler_checks"]
