namespace Parma.Rego.Builtins;

/// <summary>graph.reachable, graph.reachable_paths and walk: traversals of graphs given as objects and of whole documents.</summary>
internal static class Graphs
{
    public static void Register(Registrar add)
    {
        add("graph.reachable", 2, a =>
        {
            var graph = Args.Obj("graph.reachable", a, 0);
            var queue = new Queue<Value>(Args.Collection("graph.reachable", a, 1));
            var reached = new HashSet<Value>();
            while (queue.TryDequeue(out var node))
            {
                if (reached.Contains(node) || graph[node] is not { } edges)
                {
                    continue;
                }

                reached.Add(node);
                foreach (var next in Neighbours(edges))
                {
                    if (!reached.Contains(next))
                    {
                        queue.Enqueue(next);
                    }
                }
            }

            return Value.Set(reached);
        });
        add("graph.reachable_paths", 2, a =>
        {
            var graph = Args.Obj("graph.reachable_paths", a, 0);
            var paths = new List<Value>();
            foreach (var root in Args.Collection("graph.reachable_paths", a, 1))
            {
                if (graph[root] is not null)
                {
                    Paths(graph, root, [], paths);
                }
            }

            return Value.Set(paths);
        });
    }

    /// <summary>walk(x, [path, value]): every node of a document with its path, the document itself first.</summary>
    public static IEnumerable<Value> Walk(Value[] a)
    {
        var results = new List<Value>();
        Walk(a[0], [], results);
        return results;
    }

    private static void Walk(Value node, List<Value> path, List<Value> results)
    {
        results.Add(Value.Array(Value.Array(path.ToArray()), node));
        switch (node)
        {
            case ArrayValue arr:
                for (var i = 0; i < arr.Items.Length; i++)
                {
                    path.Add(Value.Number(i));
                    Walk(arr.Items[i], path, results);
                    path.RemoveAt(path.Count - 1);
                }

                break;
            case ObjectValue o:
                for (var i = 0; i < o.KeyArray.Length; i++)
                {
                    path.Add(o.KeyArray[i]);
                    Walk(o.ValueArray[i], path, results);
                    path.RemoveAt(path.Count - 1);
                }

                break;
            case SetValue s:
                foreach (var item in s.Items)
                {
                    path.Add(item);
                    Walk(item, path, results);
                    path.RemoveAt(path.Count - 1);
                }

                break;
        }
    }

    /// <summary>Edges are an array or set of nodes; anything else has none.</summary>
    private static Value[] Neighbours(Value edges) => edges switch
    {
        ArrayValue arr => arr.Items,
        SetValue s => s.Items,
        _ => [],
    };

    /// <summary>
    /// Depth-first from a node that is in the graph: a path ends where a node has no edges, where the next node is
    /// not in the graph, or where it would revisit a node already on the path.
    /// </summary>
    private static void Paths(ObjectValue graph, Value node, List<Value> path, List<Value> paths)
    {
        path.Add(node);
        var neighbours = Neighbours(graph[node]!);
        if (neighbours.Length == 0)
        {
            paths.Add(Value.Array(path.ToArray()));
        }

        foreach (var next in neighbours)
        {
            if (path.Contains(next) || graph[next] is null)
            {
                paths.Add(Value.Array(path.ToArray()));
            }
            else
            {
                Paths(graph, next, path, paths);
            }
        }

        path.RemoveAt(path.Count - 1);
    }
}
