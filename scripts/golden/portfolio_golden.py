"""Reference numbers for ravine's covariance estimators, from scikit-learn and pandas.

Writes tests/fixtures/portfolio_golden.json: Ledoit-Wolf (sklearn.covariance.ledoit_wolf) and
the exponentially weighted covariance (pandas ewm(halflife).cov(), adjust=True, bias=False, read
at the last date) on the first 1000 daily returns of data/sp500/sp500_dataset.csv.gz.

    pip install scikit-learn pandas
    python3 scripts/golden/portfolio_golden.py
"""
import json
import sklearn
import pandas as pd
from sklearn.covariance import ledoit_wolf

prices = pd.read_csv("data/sp500/sp500_dataset.csv.gz", index_col=0)
returns = (prices / prices.shift(1) - 1.0).iloc[1:1001]
cov, shrinkage = ledoit_wolf(returns.values)
half_life = 60.0
ew = returns.ewm(halflife=half_life, adjust=True).cov(bias=False)
last = ew.loc[returns.index[-1]].values
out = {
    "versions": {"sklearn": sklearn.__version__, "pandas": pd.__version__},
    "periods": len(returns),
    "assets": list(returns.columns),
    "ledoit_wolf": {"shrinkage": float(shrinkage), "covariance": cov.ravel().tolist()},
    "ewma": {"half_life": half_life, "covariance": last.ravel().tolist()},
}
with open("tests/fixtures/portfolio_golden.json", "w") as f:
    json.dump(out, f)
print("shrinkage", shrinkage, "ew[0,0]", last[0, 0])
