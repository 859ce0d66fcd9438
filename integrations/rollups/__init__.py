"""From canonical CRM records to daily base-metric actuals: the rules (normative defaults a workspace can
replace, and their description in words) and a reference computation the set-based rollup must equal."""
