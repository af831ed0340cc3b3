"""The solvers: the problem and penalty, the maths once (objective, gap, screening),
the coordinate-descent driver, proximal gradient, SAG/SAGA, Newton steps."""
