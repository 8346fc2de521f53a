using System.Collections.Concurrent;
using System.Reflection;

namespace Parma.Kube.Resources;

/// <summary>
/// Maps model types to their REST coordinates: from <see cref="KubeResourceAttribute"/>, or registered
/// explicitly for types that cannot carry the attribute.
/// </summary>
public static class ResourceRegistry
{
    private static readonly ConcurrentDictionary<Type, ResourceInfo> Known = new();

    public static void Register<T>(ResourceInfo info) => Known[typeof(T)] = info;

    public static ResourceInfo For<T>() => For(typeof(T));

    public static ResourceInfo For(Type type) =>
        Known.GetOrAdd(type, static t =>
        {
            var attribute = t.GetCustomAttribute<KubeResourceAttribute>()
                ?? throw new InvalidOperationException(
                    $"{t.Name} has no [KubeResource] attribute and was not registered with ResourceRegistry.Register.");
            return new ResourceInfo(attribute.Group, attribute.Version, attribute.Plural, attribute.Kind, attribute.Namespaced);
        });
}
