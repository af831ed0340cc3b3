"""Cross-validation folds on a real dask.distributed cluster through joblib."""

import numpy as np
import pytest
from sklearn.datasets import load_diabetes

import sparsereg as sr

distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")


@pytest.mark.slow
def test_cv_on_a_local_dask_cluster_equals_the_sequential_run():
    X, y = load_diabetes(return_X_y=True)
    params = dict(l1_ratio=[0.5, 1.0], cv=4, alphas=20)
    sequential = sr.ElasticNetCV(**params).fit(X, y)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1,
                                  dashboard_address=None, processes=True) as cluster:
        with distributed.Client(cluster) as client:
            with joblib.parallel_backend("dask"):
                on_cluster = sr.ElasticNetCV(**params, n_jobs=-1).fit(X, y)
            # the folds really ran on the workers
            assert len(client.scheduler_info()["workers"]) == 2
            tasks = client.run_on_scheduler(
                lambda dask_scheduler: len(dask_scheduler.task_prefixes))
            assert tasks > 0
    np.testing.assert_array_equal(on_cluster.mse_path_, sequential.mse_path_)
    assert on_cluster.alpha_ == sequential.alpha_
    assert on_cluster.l1_ratio_ == sequential.l1_ratio_
    np.testing.assert_array_equal(on_cluster.coef_, sequential.coef_)
