using System.Collections.Concurrent;
using Parma.Rego.Evaluation;

namespace Parma.Rego;

/// <summary>
/// Policy modules compiled once; evaluates many queries with different inputs. Thread-safe: every call
/// runs in its own evaluator, and compiled queries are cached.
/// </summary>
public sealed class CompiledPolicy
{
    private readonly PolicyProgram _program;
    private readonly RegoOptions _options;
    private const int MaxCachedRulePaths = 1024;
    private readonly ConcurrentDictionary<string, ResolvedQuery> _queries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Syntax.Term[]> _rulePaths = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string[]> _mountPaths = new(StringComparer.Ordinal);

    private CompiledPolicy(PolicyProgram program, RegoOptions options)
    {
        _program = program;
        _options = options;
    }

    public RegoOptions Options => _options;

    /// <summary>Parses and compiles the modules. Throws <see cref="RegoException"/> on parse or compile errors.</summary>
    public static CompiledPolicy Compile(IEnumerable<(string FileName, string Text)> modules, Value? data = null, RegoOptions? options = null)
    {
        options ??= RegoOptions.Default;
        return Guard(() => new CompiledPolicy(PolicyProgram.Build(modules, data, options), options));
    }

    /// <summary>Compiles a single module.</summary>
    public static CompiledPolicy Compile(string fileName, string text, Value? data = null, RegoOptions? options = null) =>
        Compile([(fileName, text)], data, options);

    /// <summary>Evaluates a query like `opa eval`: one result per solution, with expression values and variable bindings.</summary>
    public IReadOnlyList<QueryResult> Evaluate(string query, Value? input = null, IEnumerable<DataMount>? mounts = null)
    {
        return Guard(() =>
        {
            var resolved = _queries.GetOrAdd(query, q => _program.ResolveQuery(q, v1: true));
            var evaluator = new Evaluator(_program, _options, input, Mounts(mounts));
            var results = new List<QueryResult>();
            evaluator.RunQuery(resolved.Body, resolved.SlotCount, frame =>
            {
                results.Add(QueryResult.From(resolved, frame, evaluator));
                return true;
            });
            return (IReadOnlyList<QueryResult>)results;
        });
    }

    /// <summary>
    /// Fast path for a decision: the value of the document at a data reference such as
    /// "data.agent_policy.CreateContainerRequest", or null when undefined. Mounts place documents
    /// (e.g. policy state) into data without recompiling.
    /// </summary>
    public Value? EvaluateRule(string dataRef, Value? input = null, IEnumerable<DataMount>? mounts = null)
    {
        var path = RulePath(dataRef);
        return Guard(() => new Evaluator(_program, _options, input, Mounts(mounts)).EvalDataPath(path));
    }

    /// <summary>A data reference's segments as terms, parsed once per reference (callers ask for a few fixed rules).</summary>
    private Syntax.Term[] RulePath(string dataRef)
    {
        if (_rulePaths.TryGetValue(dataRef, out var cached))
        {
            return cached;
        }

        var terms = DataPath(dataRef).Select(p => (Syntax.Term)new Syntax.ScalarTerm(Value.String(p))).ToArray();
        if (_rulePaths.Count < MaxCachedRulePaths)
        {
            _rulePaths.TryAdd(dataRef, terms);
        }

        return terms;
    }

    private static string[] DataPath(string dataRef)
    {
        var parts = dataRef.Split('.');
        if (parts[0] != "data" || parts.Any(p => p.Length == 0))
        {
            throw new RegoException(RegoException.Codes.CompileError, $"'{dataRef}' is not a data reference like data.pkg.rule");
        }

        return parts[1..];
    }

    private List<(string[] Path, Value Value)> Mounts(IEnumerable<DataMount>? mounts)
    {
        var list = new List<(string[] Path, Value Value)>();
        foreach (var m in mounts ?? [])
        {
            list.Add((MountPath(m.Path), m.Document));
        }

        return list;
    }

    private string[] MountPath(string dataRef)
    {
        if (_mountPaths.TryGetValue(dataRef, out var cached))
        {
            return cached;
        }

        var path = DataPath(dataRef);
        if (_mountPaths.Count < MaxCachedRulePaths)
        {
            _mountPaths.TryAdd(dataRef, path);
        }

        return path;
    }

    internal static T Guard<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (RegoException)
        {
            throw;
        }
        catch (InsufficientExecutionStackException)
        {
            throw new RegoException(RegoException.Codes.LimitError, "evaluation nested too deeply");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new RegoException(RegoException.Codes.InternalError, $"{e.GetType().Name}: {e.Message}");
        }
    }
}

/// <summary>A document placed at a data path for one evaluation (e.g. "data.pstate").</summary>
public sealed record DataMount(string Path, Value Document);
