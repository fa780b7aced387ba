/* The walk's simplex pivots (stability/thermo/walk.py) in C.
 *
 * Each pivot of the Python walk is a few small numpy products and a k x k inverse, tens of
 * microseconds of interpreter overhead for microseconds of arithmetic; here a pivot is the
 * arithmetic alone. The rules are walk.py's, step for step: the same tolerances, ratio
 * tests and tie rules (Bland: the lowest phase index leaves), so the walk meets the same
 * bases; only the last bits of each facet's inverse differ (Gauss-Jordan here, LAPACK there).
 *
 * Arrays come in through the buffer protocol (C-contiguous float64 / int64, checked by size):
 *   F     n x k atomic fractions of the hull's rows      form  n formation energies (eV/atom)
 *   rows  m positions of F the pivots may choose among
 * A facet is a basis of k row positions, its inverse inv = F[basis]^-1 (k x k) and its
 * chemical potentials mu = inv @ form[basis]. No Python object is touched inside a loop, and
 * every loop is bounded by a pivot budget.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define KMAX 32
#define COST_TOL 1e-12
#define PIVOT_TOL 1e-9

enum { SETTLED = 0, MORE = 1, UNSETTLED = 2, LEAVES = 3, SINGULAR = 4, UNSUPPORTED = 5,
       NOT_FINITE = 6, FULL = 7, INTERRUPTED = 8, SAME = 9 };
/* Pivots between checks for a signal (Ctrl-C) in walks made in one call. */
#define SIGNAL_EVERY 16

typedef struct {
    const double *F;
    const double *form;
    const int64_t *rows;
    Py_ssize_t n, k, m;
} Points;

/* inv = F[basis]^-1 by Gauss-Jordan with partial pivoting, mu = inv @ form[basis].
 * Returns 0 when a pivot is exactly zero (LAPACK's singular). */
static int make_facet(const Points *P, const int64_t *basis, double *inv, double *mu)
{
    const Py_ssize_t k = P->k;
    double a[KMAX * KMAX];
    for (Py_ssize_t i = 0; i < k; i++) {
        memcpy(a + i * k, P->F + basis[i] * k, (size_t)k * sizeof(double));
        for (Py_ssize_t c = 0; c < k; c++)
            inv[i * k + c] = (i == c) ? 1.0 : 0.0;
    }
    for (Py_ssize_t c = 0; c < k; c++) {
        Py_ssize_t r = c;
        double best = fabs(a[c * k + c]);
        for (Py_ssize_t i = c + 1; i < k; i++) {
            if (fabs(a[i * k + c]) > best) {
                best = fabs(a[i * k + c]);
                r = i;
            }
        }
        if (!(best > 0.0))
            return 0;
        if (r != c) {
            for (Py_ssize_t j = 0; j < k; j++) {
                double s = a[c * k + j];
                a[c * k + j] = a[r * k + j];
                a[r * k + j] = s;
                s = inv[c * k + j];
                inv[c * k + j] = inv[r * k + j];
                inv[r * k + j] = s;
            }
        }
        const double p = a[c * k + c];
        for (Py_ssize_t j = 0; j < k; j++) {
            a[c * k + j] /= p;
            inv[c * k + j] /= p;
        }
        for (Py_ssize_t i = 0; i < k; i++) {
            const double f = a[i * k + c];
            if (i == c || f == 0.0)
                continue;
            for (Py_ssize_t j = 0; j < k; j++) {
                a[i * k + j] -= f * a[c * k + j];
                inv[i * k + j] -= f * inv[c * k + j];
            }
        }
    }
    for (Py_ssize_t r = 0; r < k; r++) {
        double s = 0.0;
        for (Py_ssize_t c = 0; c < k; c++)
            s += inv[r * k + c] * P->form[basis[c]];
        mu[r] = s;
    }
    return 1;
}

/* out[i] = sum_r y[r] inv[r, i]: the basis amounts of y (walk.py's ``y @ inv``). */
static void amounts(Py_ssize_t k, const double *y, const double *inv, double *out)
{
    for (Py_ssize_t i = 0; i < k; i++)
        out[i] = 0.0;
    for (Py_ssize_t r = 0; r < k; r++) {
        const double yr = y[r];
        for (Py_ssize_t i = 0; i < k; i++)
            out[i] += yr * inv[r * k + i];
    }
}

static double reduced_cost(const Points *P, int64_t p, const double *mu)
{
    const double *f = P->F + p * P->k;
    double s = 0.0;
    for (Py_ssize_t r = 0; r < P->k; r++)
        s += f[r] * mu[r];
    return P->form[p] - s;
}

/* The dual ratio test (walk.py ``_pivot_anew``): the row the plane, rotated about the face
 * without basis position j, meets first; -1 if none nears it. Ties: the lowest position. */
static int64_t dual_pivot(const Points *P, const double *inv, const double *mu, Py_ssize_t j)
{
    const Py_ssize_t k = P->k;
    int64_t found = -1;
    double best = 0.0;
    for (Py_ssize_t q = 0; q < P->m; q++) {
        const int64_t p = P->rows[q];
        const double *f = P->F + p * k;
        double rise = 0.0;
        for (Py_ssize_t r = 0; r < k; r++)
            rise += f[r] * -inv[r * k + j];
        if (!(rise > PIVOT_TOL))
            continue;
        double cost = reduced_cost(P, p, mu);
        if (cost < 0.0)
            cost = 0.0;
        const double ratio = cost / rise;
        if (found < 0 || ratio < best) {
            found = p;
            best = ratio;
        }
    }
    return found;
}

/* The primal simplex of walk.py ``_first_facet`` from ``basis`` (the elements) at z. */
static int first_facet(const Points *P, int64_t *basis, const double *z, Py_ssize_t budget,
                       double *inv, double *mu, Py_ssize_t *pivots)
{
    const Py_ssize_t k = P->k;
    double lam[KMAX], w[KMAX];
    if (!make_facet(P, basis, inv, mu))
        return SINGULAR;
    for (Py_ssize_t it = 0; it < budget; it++) {
        int64_t p = -1;
        if (it < budget / 2) { /* the most negative reduced cost, first of ties */
            double low = 0.0;
            for (Py_ssize_t q = 0; q < P->m; q++) {
                const double c = reduced_cost(P, P->rows[q], mu);
                if (p < 0 || c < low) {
                    low = c;
                    p = P->rows[q];
                }
            }
            if (p < 0 || low >= -COST_TOL)
                return SETTLED;
        }
        else { /* Bland's rule: the lowest index, which cannot cycle */
            for (Py_ssize_t q = 0; q < P->m; q++) {
                if (reduced_cost(P, P->rows[q], mu) < -COST_TOL) {
                    p = P->rows[q];
                    break;
                }
            }
            if (p < 0)
                return SETTLED;
        }
        amounts(k, z, inv, lam);
        amounts(k, P->F + p * k, inv, w);
        Py_ssize_t j = -1;
        double best = 0.0;
        for (Py_ssize_t i = 0; i < k; i++) {
            if (!(w[i] > PIVOT_TOL))
                continue;
            const double ratio = (lam[i] > 0.0 ? lam[i] : 0.0) / w[i];
            if (j < 0 || ratio < best) {
                j = i;
                best = ratio;
            }
        }
        if (j < 0)
            return UNSETTLED;
        basis[j] = p;
        if (!make_facet(P, basis, inv, mu))
            return SINGULAR;
        ++*pivots;
    }
    return UNSETTLED;
}

/* One step of the parametric dual simplex along y0 + t d (walk.py ``_pivots``) from the
 * facet (basis, inv, mu) holding at *t: SETTLED if no basis phase runs out before ``end``
 * (or none runs out), else MORE after the pivot (facet and *t updated), or a failure. */
static int step(const Points *P, int64_t *basis, double *inv, double *mu, const double *y0,
                const double *d, double *t, double shrinks, double end)
{
    const Py_ssize_t k = P->k;
    double lam[KMAX], rate[KMAX], when[KMAX];
    int exits[KMAX];
    amounts(k, y0, inv, lam);
    amounts(k, d, inv, rate);
    int any = 0;
    double t_next = 0.0;
    for (Py_ssize_t i = 0; i < k; i++) {
        exits[i] = rate[i] < shrinks;
        if (!exits[i])
            continue;
        double w = -lam[i] / rate[i];
        if (w < *t) /* Python's max(w, t) */
            w = *t;
        when[i] = w;
        if (!any || w < t_next)
            t_next = w;
        any = 1;
    }
    if (!any || t_next >= end)
        return SETTLED;
    const double tie = t_next + 1e-12 * (t_next > 1.0 ? t_next : 1.0);
    Py_ssize_t j = -1;
    for (Py_ssize_t i = 0; i < k; i++) { /* Bland: the lowest phase index leaves */
        if (exits[i] && when[i] <= tie && (j < 0 || basis[i] < basis[j]))
            j = i;
    }
    if (j < 0) /* t_next is NaN: a number on the way was not finite */
        return NOT_FINITE;
    const int64_t p = dual_pivot(P, inv, mu, j);
    if (p < 0)
        return LEAVES;
    basis[j] = p;
    if (!make_facet(P, basis, inv, mu))
        return SINGULAR;
    *t = t_next;
    return MORE;
}

/* Pivots along y0 + t d from the facet of ``basis`` at t (walk.py ``_pivots``). With
 * ``record``, each pivot's (t, basis, inv, mu) goes into the event buffers and the walk
 * stops (MORE) when ``max_events`` are written. */
static int walk_line(const Points *P, int64_t *basis, double *inv, double *mu, const double *y0,
                     const double *d, double *t, double shrinks, double end, Py_ssize_t budget,
                     int record, Py_ssize_t max_events, double *ev_t, int64_t *ev_basis,
                     double *ev_inv, double *ev_mu, Py_ssize_t *n_events, Py_ssize_t *pivots)
{
    const Py_ssize_t k = P->k;
    if (!make_facet(P, basis, inv, mu))
        return SINGULAR;
    for (Py_ssize_t it = 0; it < budget; it++) {
        const int status = step(P, basis, inv, mu, y0, d, t, shrinks, end);
        if (status != MORE)
            return status;
        ++*pivots;
        if (record) {
            const Py_ssize_t e = *n_events;
            ev_t[e] = *t;
            memcpy(ev_basis + e * k, basis, (size_t)k * sizeof(int64_t));
            memcpy(ev_inv + e * k * k, inv, (size_t)(k * k) * sizeof(double));
            memcpy(ev_mu + e * k, mu, (size_t)k * sizeof(double));
            if (++*n_events == max_events)
                return MORE;
        }
    }
    return UNSETTLED;
}

/* A facet: its basis, inverse and potentials, in one block for copying. */
typedef struct {
    int64_t basis[KMAX];
    double inv[KMAX * KMAX];
    double mu[KMAX];
} Facet;

static void copy_facet(Py_ssize_t k, Facet *to, const Facet *from)
{
    memcpy(to->basis, from->basis, (size_t)k * sizeof(int64_t));
    memcpy(to->inv, from->inv, (size_t)(k * k) * sizeof(double));
    memcpy(to->mu, from->mu, (size_t)k * sizeof(double));
}

/* Whether every left-out row (``out_F``, ``out_form``: m_out of them) lies more than ``gap``
 * above the facet's plane (walk.py ``_supports``). */
static int supports(Py_ssize_t k, const double *out_F, const double *out_form, Py_ssize_t m_out,
                    const double *mu, double gap)
{
    for (Py_ssize_t q = 0; q < m_out; q++) {
        double s = 0.0;
        for (Py_ssize_t r = 0; r < k; r++)
            s += out_F[q * k + r] * mu[r];
        if (!(out_form[q] - s > gap))
            return 0;
    }
    return 1;
}

typedef struct {
    double slope_left, slope_right, left, right, slope_after;
    int at_break, has_left, has_right;
    Facet left_facet, right_facet;
} Near;

/* walk.py ``_around``: from the facet ``own`` holding x, walk along +axis to the next
 * breakpoint (and the last pivot at it) and along -axis back to the previous one. Every
 * facet met is checked against the left-out rows (UNSUPPORTED at the first that fails). */
static int around(const Points *P, const double *out_F, const double *out_form,
                  Py_ssize_t m_out, const Facet *own, const double *x, Py_ssize_t axis,
                  double shrinks, double end_left, double merge_tol, double prune_gap,
                  double energy_tol, Py_ssize_t budget, Near *near, Py_ssize_t *pivots)
{
    const Py_ssize_t k = P->k;
    const double n = x[axis];
    double d[KMAX];
    Facet cur, next;
    for (Py_ssize_t i = 0; i < k; i++)
        d[i] = 0.0;
    const int start = n <= energy_tol * (n > 1.0 ? n : 1.0);
    /* Li-rich side: slopes rise at breakpoints; one within merge_tol of n is n's own. */
    double slope_right = own->mu[axis], slope_after = 0.0, right = 0.0, t = 0.0;
    int has_right = 0, it = 0, status;
    d[axis] = 1.0;
    copy_facet(k, &next, own);
    for (;; it++) {
        if (it >= budget)
            return UNSETTLED;
        status = step(P, next.basis, next.inv, next.mu, x, d, &t, shrinks, NAN);
        if (status == SETTLED)
            break;
        if (status != MORE)
            return status;
        ++*pivots;
        if (!supports(k, out_F, out_form, m_out, next.mu, prune_gap))
            return UNSUPPORTED;
        const double s = next.mu[axis], at = n + t;
        if (has_right) { /* further pivots at the same breakpoint: the last is the slope beyond */
            if (at > right + merge_tol * (at > 1.0 ? at : 1.0))
                break;
            if (s > slope_after + 1e-12) {
                slope_after = s;
                copy_facet(k, &near->right_facet, &next);
            }
            continue;
        }
        if (s <= slope_right + 1e-12)
            continue; /* a pivot among coplanar phases: no breakpoint */
        if (at > n + merge_tol * (at > 1.0 ? at : 1.0)) {
            right = at;
            slope_after = s;
            has_right = 1;
            copy_facet(k, &near->right_facet, &next);
            continue;
        }
        slope_right = s;
    }
    /* Li-poor side, back to n = 0: slopes fall at breakpoints; none: the start, 0. */
    double slope_left = start ? slope_right : own->mu[axis], left = 0.0;
    int has_left = 0;
    if (!start) {
        d[axis] = -1.0;
        t = 0.0;
        copy_facet(k, &cur, own);
        copy_facet(k, &next, own);
        has_left = 1;
        for (it = 0;; it++) {
            if (it >= budget)
                return UNSETTLED;
            status = step(P, next.basis, next.inv, next.mu, x, d, &t, shrinks, end_left);
            if (status == SETTLED)
                break; /* no breakpoint before the start: cur holds there */
            if (status != MORE)
                return status;
            ++*pivots;
            if (!supports(k, out_F, out_form, m_out, next.mu, prune_gap))
                return UNSUPPORTED;
            const double s = next.mu[axis];
            if (s >= slope_left - 1e-12) {
                copy_facet(k, &cur, &next);
                continue;
            }
            const double where = n - t;
            if (where <= merge_tol * (fabs(where) > 1.0 ? fabs(where) : 1.0))
                break; /* at the start of the line */
            if (where < n - merge_tol * (n > 1.0 ? n : 1.0)) {
                left = where; /* cur is the facet right of it */
                break;
            }
            slope_left = s; /* n is this breakpoint */
            copy_facet(k, &cur, &next);
        }
        copy_facet(k, &near->left_facet, &cur);
    }
    near->slope_left = slope_left;
    near->slope_right = slope_right;
    near->left = left;
    near->right = right;
    near->slope_after = slope_after;
    near->has_left = has_left;
    near->has_right = has_right;
    near->at_break = start || slope_right > slope_left + 1e-12;
    return SETTLED;
}

static double dot(Py_ssize_t k, const double *a, const double *b)
{
    double s = 0.0; /* in order, as numpy's dot of fewer than 16 items */
    for (Py_ssize_t r = 0; r < k; r++)
        s += a[r] * b[r];
    return s;
}

/* The hull energy mu @ (y0 + t d), as walk.py computes it. */
static double energy_at(Py_ssize_t k, const double *mu, const double *y0, const double *d, double t)
{
    double y[KMAX];
    for (Py_ssize_t r = 0; r < k; r++)
        y[r] = y0[r] + t * d[r];
    return dot(k, mu, y);
}

/* numpy's sum of n doubles (its pairwise summation, n <= 128): the tolerances below are
 * walk.py's to the bit. */
static double numpy_sum(const double *a, Py_ssize_t n)
{
    if (n < 8) {
        double s = 0.0;
        for (Py_ssize_t i = 0; i < n; i++)
            s += a[i];
        return s;
    }
    double r[8];
    for (int j = 0; j < 8; j++)
        r[j] = a[j];
    Py_ssize_t i = 8;
    for (; i < n - (n % 8); i += 8) {
        for (int j = 0; j < 8; j++)
            r[j] += a[i + j];
    }
    double s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++)
        s += a[i];
    return s;
}

/* Record the kink at kink_t, on the facet of potentials kink_mu (checked against the
 * left-out rows unless it is the first facet, which the caller checked): MORE, or FULL when
 * ts holds no more (the end still needs a place), UNSUPPORTED when the check fails. */
static int record_kink(Py_ssize_t k, const double *out_F, const double *out_form,
                       Py_ssize_t m_out, double prune_gap, int own, const double *kink_mu,
                       const double *y0, const double *d, double kink_t, Py_ssize_t cap,
                       double *ts, double *energies, Py_ssize_t *n)
{
    if (*n + 2 > cap)
        return FULL;
    if (!own && !supports(k, out_F, out_form, m_out, kink_mu, prune_gap))
        return UNSUPPORTED;
    ts[*n] = kink_t;
    energies[(*n)++] = energy_at(k, kink_mu, y0, d, kink_t);
    return MORE;
}

/* walk.py ``segment_energies`` and fast.py ``mixing``'s closed kinks in one call: the kinks
 * of the hull along the line from y0 to y1 (y0 + t d, d = y1 - y0, t in [0, 1]) from the
 * facet of ``basis`` (potentials ``own_mu``) holding y0, by walk.py ``_c_line_raw``'s rules
 * (a pivot that leaves the slope along d unchanged is no kink, kinks within merge_tol are
 * one, pivots from 1 - merge_tol on only move the end's facet), the tolerances of
 * ``_line_tolerances``. ts[i] and energies[i] are each kink's t and hull energy (the last:
 * t = 1, at y1), from the facet right of it; every facet read other than the first (which
 * the caller checks) is checked against the left-out rows (UNSUPPORTED). *e_min is the most
 * negative reaction energy h - t e1 - (1 - t) e0 of the kinks (e0, e1: the ends' energies).
 * SAME: y0 and y1 are one composition (numpy's allclose); FULL: more than ``cap`` kinks. */
static int segment(const Points *P, const double *out_F, const double *out_form,
                   Py_ssize_t m_out, const int64_t *basis, const double *own_mu, const double *y0,
                   const double *y1, double merge_tol, double prune_gap, Py_ssize_t budget,
                   Py_ssize_t cap, double *ts, double *energies, Py_ssize_t *n_kinks,
                   double *e_min, Py_ssize_t *pivots)
{
    const Py_ssize_t k = P->k;
    Facet cur;
    double d[KMAX], line[2 * KMAX], kink_mu[KMAX], t = 0.0, kink_t = 0.0;
    int own = 1, done = 0, same = 1; /* the kink's facet is still the first one; past limit */
    Py_ssize_t n = 0;
    for (Py_ssize_t r = 0; r < k; r++) {
        d[r] = y1[r] - y0[r];
        line[r] = fabs(y0[r]);
        line[k + r] = fabs(d[r]);
        if (!(fabs(d[r]) <= 1e-8 + 1e-5 * fabs(y0[r])))
            same = 0;
    }
    if (same)
        return SAME;
    const double size = numpy_sum(line, 2 * k);
    const double shrinks = -1e-13 * (size > 1.0 ? size : 1.0);
    const double end = 1.0 - 1e-12, limit = 1.0 - merge_tol;
    memcpy(cur.basis, basis, (size_t)k * sizeof(int64_t));
    memcpy(kink_mu, own_mu, (size_t)k * sizeof(double));
    if (!make_facet(P, cur.basis, cur.inv, cur.mu))
        return SINGULAR;
    double slope = dot(k, own_mu, d);
    Py_ssize_t it = 0;
    for (;; it++) {
        if (it >= budget)
            return UNSETTLED;
        if (it % SIGNAL_EVERY == SIGNAL_EVERY - 1 && PyErr_CheckSignals() < 0)
            return INTERRUPTED;
        const int status = step(P, cur.basis, cur.inv, cur.mu, y0, d, &t, shrinks, end);
        if (status == SETTLED)
            break;
        if (status != MORE)
            return status;
        ++*pivots;
        if (done || t >= limit) {
            done = 1; /* past the end's merge window: only the last facet counts */
            continue;
        }
        const double s = dot(k, cur.mu, d);
        if (s <= slope + 1e-12)
            continue;
        slope = s;
        if (t > kink_t + merge_tol * (fabs(t) > 1.0 ? fabs(t) : 1.0)) {
            const int kept = record_kink(k, out_F, out_form, m_out, prune_gap, own, kink_mu, y0,
                                         d, kink_t, cap, ts, energies, &n);
            if (kept != MORE)
                return kept;
            kink_t = t;
        }
        memcpy(kink_mu, cur.mu, (size_t)k * sizeof(double));
        own = 0;
    }
    const int kept = record_kink(k, out_F, out_form, m_out, prune_gap, own, kink_mu, y0, d,
                                 kink_t, cap, ts, energies, &n);
    if (kept != MORE)
        return kept;
    /* The end, on the facet reached there (the first if no pivot was made). */
    const double *last = it > 0 ? cur.mu : own_mu;
    if (it > 0 && !supports(k, out_F, out_form, m_out, last, prune_gap))
        return UNSUPPORTED;
    ts[n] = 1.0;
    energies[n++] = dot(k, last, y1);
    /* fast.py ``mixing``: h - x ea - (1 - x) eb, in that order. */
    const double ea = energies[n - 1], eb = energies[0];
    double low = 0.0;
    for (Py_ssize_t i = 0; i < n; i++) {
        const double e = energies[i] - ts[i] * ea - (1.0 - ts[i]) * eb;
        if (!isfinite(e))
            return NOT_FINITE;
        if (i == 0 || e < low)
            low = e;
    }
    *e_min = low;
    *n_kinks = n;
    return SETTLED;
}

/* ------------------------------------------------------------------ Python glue */

typedef struct {
    Py_buffer b;
    int held;
} Buf;

static void release(Buf *bufs, int n)
{
    for (int i = 0; i < n; i++) {
        if (bufs[i].held)
            PyBuffer_Release(&bufs[i].b);
    }
}

/* Whether a buffer's items are float64 (``is_double``) or int64, in native byte order. */
static int format_ok(const Py_buffer *b, int is_double)
{
    const char *f = b->format ? b->format : "B";
    if (*f == '@' || *f == '=')
        f++;
    if (b->itemsize != 8 || f[0] == '\0' || f[1] != '\0')
        return 0;
    return is_double ? f[0] == 'd' : (f[0] == 'q' || f[0] == 'l');
}

/* Take a C-contiguous buffer of float64 (``is_double``) or int64 items; with count >= 0,
 * exactly ``count`` of them. Returns the number of items, or -1 with an exception set. */
static Py_ssize_t take(PyObject *obj, Buf *buf, Py_ssize_t count, int is_double, int writable,
                       const char *name)
{
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, &buf->b, flags) < 0)
        return -1;
    buf->held = 1;
    if (!format_ok(&buf->b, is_double)) {
        PyErr_Format(PyExc_TypeError, "%s: expected %s items", name,
                     is_double ? "float64" : "int64");
        return -1;
    }
    const Py_ssize_t items = buf->b.len / 8;
    if (count >= 0 && items != count) {
        PyErr_Format(PyExc_ValueError, "%s: expected %zd items, got %zd", name, count, items);
        return -1;
    }
    return items;
}

static int take_points(PyObject *F, PyObject *form, PyObject *rows, Py_ssize_t k, Buf *bufs,
                       Points *P)
{
    if (k < 1 || k > KMAX) {
        PyErr_Format(PyExc_ValueError, "k must be 1 to %d, got %zd", KMAX, k);
        return 0;
    }
    if ((P->n = take(form, &bufs[1], -1, 1, 0, "form")) < 0)
        return 0;
    P->k = k;
    if (take(F, &bufs[0], P->n * k, 1, 0, "F") < 0)
        return 0;
    if ((P->m = take(rows, &bufs[2], -1, 0, 0, "rows")) < 0)
        return 0;
    P->F = bufs[0].b.buf;
    P->form = bufs[1].b.buf;
    P->rows = bufs[2].b.buf;
    for (Py_ssize_t q = 0; q < P->m; q++) {
        if (P->rows[q] < 0 || P->rows[q] >= P->n) {
            PyErr_SetString(PyExc_ValueError, "rows: a position outside F");
            return 0;
        }
    }
    return 1;
}

/* take_points, then the left-out rows (out_F, out_form into bufs[3], bufs[4]): their count,
   or -1 with an exception set. */
static Py_ssize_t take_points_and_out(PyObject *F, PyObject *form, PyObject *rows, Py_ssize_t k,
                                      PyObject *out_F, PyObject *out_form, Buf *bufs, Points *P)
{
    if (!take_points(F, form, rows, k, bufs, P))
        return -1;
    const Py_ssize_t m_out = take(out_form, &bufs[4], -1, 1, 0, "out_form");
    if (m_out < 0 || take(out_F, &bufs[3], m_out * k, 1, 0, "out_F") < 0)
        return -1;
    return m_out;
}

static int check_basis(const Points *P, const int64_t *basis)
{
    for (Py_ssize_t i = 0; i < P->k; i++) {
        if (basis[i] < 0 || basis[i] >= P->n) {
            PyErr_SetString(PyExc_ValueError, "basis: a position outside F");
            return 0;
        }
    }
    return 1;
}

PyDoc_STRVAR(facet_doc,
             "facet(F, form, rows, k, basis, inv, mu) -> bool\n\n"
             "Fill inv (k x k) and mu (k) of the facet of basis; False if it is singular.");

static PyObject *py_facet(PyObject *self, PyObject *args)
{
    PyObject *F, *form, *rows, *basis, *inv, *mu;
    Py_ssize_t k;
    Buf bufs[6];
    memset(bufs, 0, sizeof bufs);
    Points P;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "OOOnOOO", &F, &form, &rows, &k, &basis, &inv, &mu))
        return NULL;
    if (take_points(F, form, rows, k, bufs, &P) && take(basis, &bufs[3], k, 0, 0, "basis") >= 0 &&
        take(inv, &bufs[4], k * k, 1, 1, "inv") >= 0 && take(mu, &bufs[5], k, 1, 1, "mu") >= 0 &&
        check_basis(&P, bufs[3].b.buf)) {
        result = PyBool_FromLong(make_facet(&P, bufs[3].b.buf, bufs[4].b.buf, bufs[5].b.buf));
    }
    release(bufs, 6);
    return result;
}

PyDoc_STRVAR(first_doc,
             "first_facet(F, form, rows, k, basis, z, budget, inv, mu) -> (status, pivots)\n\n"
             "Primal simplex from basis (updated in place) at the composition z.");

static PyObject *py_first_facet(PyObject *self, PyObject *args)
{
    PyObject *F, *form, *rows, *basis, *z, *inv, *mu;
    Py_ssize_t k, budget, pivots = 0;
    int status = 0;
    Buf bufs[7];
    memset(bufs, 0, sizeof bufs);
    Points P;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "OOOnOOnOO", &F, &form, &rows, &k, &basis, &z, &budget, &inv,
                          &mu))
        return NULL;
    if (take_points(F, form, rows, k, bufs, &P) && take(basis, &bufs[3], k, 0, 1, "basis") >= 0 &&
        take(z, &bufs[4], k, 1, 0, "z") >= 0 && take(inv, &bufs[5], k * k, 1, 1, "inv") >= 0 &&
        take(mu, &bufs[6], k, 1, 1, "mu") >= 0 && check_basis(&P, bufs[3].b.buf)) {
        status = first_facet(&P, bufs[3].b.buf, bufs[4].b.buf, budget, bufs[5].b.buf,
                             bufs[6].b.buf, &pivots);
        result = Py_BuildValue("in", status, pivots);
    }
    release(bufs, 7);
    return result;
}

PyDoc_STRVAR(
    walk_doc,
    "walk(F, form, rows, k, basis, inv, mu, y0, d, t, shrinks, end, budget, record,\n"
    "     ev_t, ev_basis, ev_inv, ev_mu) -> (status, events, t, pivots)\n\n"
    "Pivot along y0 + t d from the facet of basis (updated in place, with inv and mu) at t.\n"
    "status: 0 settled, 1 event buffers full, 2 budget spent, 3 the line leaves the\n"
    "composition space, 4 a singular basis, 6 a number that is not finite. With record,\n"
    "pivots go into the ev_ buffers (their first dimension: the events that fit).");

static PyObject *py_walk(PyObject *self, PyObject *args)
{
    PyObject *F, *form, *rows, *basis, *inv, *mu, *y0, *d, *ev_t, *ev_basis, *ev_inv, *ev_mu;
    Py_ssize_t k, budget, n_events = 0, pivots = 0;
    double t, shrinks, end;
    int record, status = 0;
    Buf bufs[12];
    memset(bufs, 0, sizeof bufs);
    Points P;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "OOOnOOOOOdddnpOOOO", &F, &form, &rows, &k, &basis, &inv, &mu,
                          &y0, &d, &t, &shrinks, &end, &budget, &record, &ev_t, &ev_basis,
                          &ev_inv, &ev_mu))
        return NULL;
    if (!take_points(F, form, rows, k, bufs, &P) || take(basis, &bufs[3], k, 0, 1, "basis") < 0 ||
        take(inv, &bufs[4], k * k, 1, 1, "inv") < 0 || take(mu, &bufs[5], k, 1, 1, "mu") < 0 ||
        take(y0, &bufs[6], k, 1, 0, "y0") < 0 || take(d, &bufs[7], k, 1, 0, "d") < 0 ||
        !check_basis(&P, bufs[3].b.buf))
        goto done;
    const Py_ssize_t max_events = take(ev_t, &bufs[8], -1, 1, 1, "ev_t");
    if (max_events < 0)
        goto done;
    if (record && max_events < 1) {
        PyErr_SetString(PyExc_ValueError, "ev_t: room for no event");
        goto done;
    }
    if (take(ev_basis, &bufs[9], max_events * k, 0, 1, "ev_basis") < 0 ||
        take(ev_inv, &bufs[10], max_events * k * k, 1, 1, "ev_inv") < 0 ||
        take(ev_mu, &bufs[11], max_events * k, 1, 1, "ev_mu") < 0)
        goto done;
    status = walk_line(&P, bufs[3].b.buf, bufs[4].b.buf, bufs[5].b.buf, bufs[6].b.buf,
                       bufs[7].b.buf, &t, shrinks, end, budget, record, max_events,
                       bufs[8].b.buf, bufs[9].b.buf, bufs[10].b.buf, bufs[11].b.buf, &n_events,
                       &pivots);
    result = Py_BuildValue("indn", status, n_events, t, pivots);
done:
    release(bufs, 12);
    return result;
}

PyDoc_STRVAR(
    around_doc,
    "around(F, form, rows, k, out_F, out_form, basis, x, axis, shrinks, end_left, merge_tol,\n"
    "       prune_gap, energy_tol, budget, facets) -> (status, pivots, near)\n\n"
    "walk.py ``_around`` from the facet of basis (holding x): near is (at_break, slope_left,\n"
    "slope_right, left, right, slope_after, has_left, has_right); the left and right facets\n"
    "go into facets (int64 basis (2, k), float64 inv (2, k, k), mu (2, k) as one tuple).\n"
    "status 5: a facet met fails the check against the left-out rows out_F, out_form.");

static PyObject *py_around(PyObject *self, PyObject *args)
{
    PyObject *F, *form, *rows, *out_F, *out_form, *basis, *x, *fb, *fi, *fm;
    Py_ssize_t k, axis, budget, pivots = 0;
    double shrinks, end_left, merge_tol, prune_gap, energy_tol;
    Buf bufs[11];
    memset(bufs, 0, sizeof bufs);
    Points P;
    Facet own;
    Near near;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "OOOnOOOOndddddn(OOO)", &F, &form, &rows, &k, &out_F, &out_form,
                          &basis, &x, &axis, &shrinks, &end_left, &merge_tol, &prune_gap,
                          &energy_tol, &budget, &fb, &fi, &fm))
        return NULL;
    const Py_ssize_t m_out = take_points_and_out(F, form, rows, k, out_F, out_form, bufs, &P);
    if (m_out < 0 || take(basis, &bufs[5], k, 0, 0, "basis") < 0 ||
        take(x, &bufs[6], k, 1, 0, "x") < 0 ||
        take(fb, &bufs[7], 2 * k, 0, 1, "facet bases") < 0 ||
        take(fi, &bufs[8], 2 * k * k, 1, 1, "facet inverses") < 0 ||
        take(fm, &bufs[9], 2 * k, 1, 1, "facet potentials") < 0 || !check_basis(&P, bufs[5].b.buf))
        goto done;
    if (axis < 0 || axis >= k) {
        PyErr_SetString(PyExc_ValueError, "axis: not an element of the hull");
        goto done;
    }
    memcpy(own.basis, bufs[5].b.buf, (size_t)k * sizeof(int64_t));
    if (!make_facet(&P, own.basis, own.inv, own.mu)) {
        result = Py_BuildValue("inO", SINGULAR, pivots, Py_None);
        goto done;
    }
    const int status = around(&P, bufs[3].b.buf, bufs[4].b.buf, m_out, &own, bufs[6].b.buf, axis,
                              shrinks, end_left, merge_tol, prune_gap, energy_tol, budget, &near,
                              &pivots);
    if (status != SETTLED) {
        result = Py_BuildValue("inO", status, pivots, Py_None);
        goto done;
    }
    const Facet *sides[2] = {&near.left_facet, &near.right_facet};
    const int present[2] = {near.has_left, near.has_right};
    for (int i = 0; i < 2; i++) {
        if (!present[i])
            continue;
        memcpy((int64_t *)bufs[7].b.buf + i * k, sides[i]->basis, (size_t)k * sizeof(int64_t));
        memcpy((double *)bufs[8].b.buf + i * k * k, sides[i]->inv, (size_t)(k * k) * sizeof(double));
        memcpy((double *)bufs[9].b.buf + i * k, sides[i]->mu, (size_t)k * sizeof(double));
    }
    result = Py_BuildValue("in(Oddddd" "OO)", status, pivots, near.at_break ? Py_True : Py_False,
                           near.slope_left, near.slope_right, near.left, near.right,
                           near.slope_after, near.has_left ? Py_True : Py_False,
                           near.has_right ? Py_True : Py_False);
done:
    release(bufs, 11);
    return result;
}

PyDoc_STRVAR(
    segment_doc,
    "segment(F, form, rows, k, out_F, out_form, basis, mu, y0, y1, merge_tol, prune_gap,\n"
    "        budget, ts, energies) -> (status, kinks, e_min, pivots)\n\n"
    "walk.py ``segment_energies`` from the facet of basis (potentials mu) holding y0, along\n"
    "the line to y1: each kink's t and hull energy go into ts and energies (the last: t = 1),\n"
    "e_min is the most negative reaction energy of the kinks (fast.py ``mixing``'s). status\n"
    "5: a facet read fails the check against the left-out rows out_F, out_form; 7: more kinks\n"
    "than ts holds; 9: y0 and y1 are one composition; others as walk's.");

static PyObject *py_segment(PyObject *self, PyObject *args)
{
    PyObject *F, *form, *rows, *out_F, *out_form, *basis, *mu, *y0, *y1, *ts, *en;
    Py_ssize_t k, budget, pivots = 0, n = 0;
    double merge_tol, prune_gap, e_min = 0.0;
    Buf bufs[11];
    memset(bufs, 0, sizeof bufs);
    Points P;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "OOOnOOOOOOddnOO", &F, &form, &rows, &k, &out_F, &out_form,
                          &basis, &mu, &y0, &y1, &merge_tol, &prune_gap, &budget, &ts, &en))
        return NULL;
    const Py_ssize_t m_out = take_points_and_out(F, form, rows, k, out_F, out_form, bufs, &P);
    if (m_out < 0 || take(basis, &bufs[5], k, 0, 0, "basis") < 0 ||
        take(mu, &bufs[6], k, 1, 0, "mu") < 0 ||
        take(y0, &bufs[7], k, 1, 0, "y0") < 0 || take(y1, &bufs[8], k, 1, 0, "y1") < 0 ||
        !check_basis(&P, bufs[5].b.buf))
        goto done;
    const Py_ssize_t cap = take(ts, &bufs[9], -1, 1, 1, "ts");
    if (cap < 0 || take(en, &bufs[10], cap, 1, 1, "energies") < 0)
        goto done;
    const int status = segment(&P, bufs[3].b.buf, bufs[4].b.buf, m_out, bufs[5].b.buf,
                               bufs[6].b.buf, bufs[7].b.buf, bufs[8].b.buf, merge_tol, prune_gap,
                               budget, cap, bufs[9].b.buf, bufs[10].b.buf, &n, &e_min, &pivots);
    if (status != INTERRUPTED) /* else the signal handler's exception is set */
        result = Py_BuildValue("indn", status, n, e_min, pivots);
done:
    release(bufs, 11);
    return result;
}

static PyMethodDef methods[] = {
    {"around", py_around, METH_VARARGS, around_doc},
    {"facet", py_facet, METH_VARARGS, facet_doc},
    {"first_facet", py_first_facet, METH_VARARGS, first_doc},
    {"segment", py_segment, METH_VARARGS, segment_doc},
    {"walk", py_walk, METH_VARARGS, walk_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_pivots",
    "The walk's simplex pivots in C (see stability/thermo/walk.py).", -1, methods,
};

PyMODINIT_FUNC PyInit__pivots(void)
{
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    if (PyModule_AddIntConstant(m, "KMAX", KMAX) < 0 ||
        PyModule_AddObject(m, "COST_TOL", PyFloat_FromDouble(COST_TOL)) < 0 ||
        PyModule_AddObject(m, "PIVOT_TOL", PyFloat_FromDouble(PIVOT_TOL)) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
