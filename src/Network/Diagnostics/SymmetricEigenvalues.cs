namespace Pcn.Network.Diagnostics;

/// <summary>
/// Eigenvalues of a dense symmetric matrix in double: Householder reduction to tridiagonal form, then the implicit QL
/// algorithm with Wilkinson shifts on the tridiagonal matrix (eigenvalues only). O(n³) for the reduction.
/// </summary>
internal static class SymmetricEigenvalues
{
    /// <summary>The eigenvalues of the symmetric n×n row-major <paramref name="matrix"/> (destroyed), ascending.</summary>
    public static double[] Compute(double[] matrix, int n)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (matrix.Length != n * n)
        {
            throw new ArgumentException($"The matrix has {matrix.Length} entries, not {n}×{n}.", nameof(matrix));
        }

        double[] diagonal = new double[n], offDiagonal = new double[n];
        Tridiagonalize(matrix, n, diagonal, offDiagonal);
        ImplicitQl(diagonal, offDiagonal, n);
        Array.Sort(diagonal);
        return diagonal;
    }

    /// <summary>Householder reduction (tred2 without eigenvectors): d receives the diagonal, e the subdiagonal in e[1..n−1].</summary>
    private static void Tridiagonalize(double[] a, int n, double[] d, double[] e)
    {
        for (int i = n - 1; i > 0; i--)
        {
            int l = i - 1;
            double h = 0, scale = 0;
            if (l > 0)
            {
                for (int k = 0; k <= l; k++)
                {
                    scale += Math.Abs(a[(i * n) + k]);
                }

                if (scale == 0)
                {
                    e[i] = a[(i * n) + l];
                }
                else
                {
                    for (int k = 0; k <= l; k++)
                    {
                        a[(i * n) + k] /= scale;
                        h += a[(i * n) + k] * a[(i * n) + k];
                    }

                    double f = a[(i * n) + l];
                    double g = f >= 0 ? -Math.Sqrt(h) : Math.Sqrt(h);
                    e[i] = scale * g;
                    h -= f * g;
                    a[(i * n) + l] = f - g;
                    f = 0;
                    for (int j = 0; j <= l; j++)
                    {
                        g = 0;
                        for (int k = 0; k <= j; k++)
                        {
                            g += a[(j * n) + k] * a[(i * n) + k];
                        }

                        for (int k = j + 1; k <= l; k++)
                        {
                            g += a[(k * n) + j] * a[(i * n) + k];
                        }

                        e[j] = g / h;
                        f += e[j] * a[(i * n) + j];
                    }

                    double hh = f / (h + h);
                    for (int j = 0; j <= l; j++)
                    {
                        f = a[(i * n) + j];
                        e[j] = g = e[j] - (hh * f);
                        for (int k = 0; k <= j; k++)
                        {
                            a[(j * n) + k] -= (f * e[k]) + (g * a[(i * n) + k]);
                        }
                    }
                }
            }
            else
            {
                e[i] = a[(i * n) + l];
            }

            d[i] = h;
        }

        e[0] = 0;
        for (int i = 0; i < n; i++)
        {
            d[i] = a[(i * n) + i];
        }
    }

    /// <summary>Implicit QL with shifts (tqli without eigenvectors) on diagonal d and subdiagonal e[1..n−1].</summary>
    private static void ImplicitQl(double[] d, double[] e, int n)
    {
        for (int i = 1; i < n; i++)
        {
            e[i - 1] = e[i];
        }

        if (n > 0)
        {
            e[n - 1] = 0;
        }

        for (int l = 0; l < n; l++)
        {
            int iterations = 0;
            int m;
            do
            {
                for (m = l; m < n - 1; m++)
                {
                    double dd = Math.Abs(d[m]) + Math.Abs(d[m + 1]);
                    if (Math.Abs(e[m]) <= double.Epsilon * dd || Math.Abs(e[m]) + dd == dd)
                    {
                        break;
                    }
                }

                if (m != l)
                {
                    if (iterations++ == 60)
                    {
                        throw new ArithmeticException("The QL iteration did not converge.");
                    }

                    double g = (d[l + 1] - d[l]) / (2.0 * e[l]);
                    double r = Hypot(g, 1.0);
                    g = d[m] - d[l] + (e[l] / (g + (g >= 0 ? Math.Abs(r) : -Math.Abs(r))));
                    double s = 1, c = 1, p = 0;
                    int i;
                    for (i = m - 1; i >= l; i--)
                    {
                        double f = s * e[i], b = c * e[i];
                        e[i + 1] = r = Hypot(f, g);
                        if (r == 0)
                        {
                            d[i + 1] -= p;
                            e[m] = 0;
                            break;
                        }

                        s = f / r;
                        c = g / r;
                        g = d[i + 1] - p;
                        r = ((d[i] - g) * s) + (2.0 * c * b);
                        d[i + 1] = g + (p = s * r);
                        g = (c * r) - b;
                    }

                    if (r == 0 && i >= l)
                    {
                        continue;
                    }

                    d[l] -= p;
                    e[l] = g;
                    e[m] = 0;
                }
            }
            while (m != l);
        }
    }

    private static double Hypot(double a, double b) => Math.Sqrt((a * a) + (b * b));
}
