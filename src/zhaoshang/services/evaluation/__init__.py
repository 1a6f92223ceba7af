"""Enterprise evaluation: signals as of a date, the scorecard, learned weights and the backtest."""
