using System.Security.Cryptography.X509Certificates;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Parma.Kube.Config;

/// <summary>Builds a <see cref="KubeClientConfig"/> from a kubeconfig file, or from inside a pod.</summary>
public static class KubeConfigLoader
{
    /// <summary>$KUBECONFIG (first entry) or ~/.kube/config.</summary>
    public static string DefaultPath()
    {
        var fromEnv = Environment.GetEnvironmentVariable("KUBECONFIG");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return fromEnv.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)[0];
        }

        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
    }

    /// <summary>In a pod: the service-account files; otherwise the default kubeconfig.</summary>
    public static KubeClientConfig LoadDefault(string? context = null) =>
        InClusterConfig.IsInCluster() ? InClusterConfig.Load() : LoadFile(DefaultPath(), context);

    public static KubeClientConfig LoadFile(string path, string? context = null)
    {
        if (!File.Exists(path))
        {
            throw new KubeConfigException($"kubeconfig {path} does not exist.");
        }

        return LoadYaml(File.ReadAllText(path), context, Path.GetDirectoryName(Path.GetFullPath(path)));
    }

    /// <param name="yaml">The kubeconfig text.</param>
    /// <param name="context">A context name; null for current-context.</param>
    /// <param name="baseDirectory">Relative file paths in the kubeconfig resolve against this folder.</param>
    public static KubeClientConfig LoadYaml(string yaml, string? context = null, string? baseDirectory = null)
    {
        KubeConfigFile file;
        try
        {
            file = new DeserializerBuilder().IgnoreUnmatchedProperties().Build().Deserialize<KubeConfigFile>(yaml)
                ?? throw new KubeConfigException("The kubeconfig is empty.");
        }
        catch (YamlException e)
        {
            throw new KubeConfigException($"The kubeconfig is not valid YAML: {e.Message}", e);
        }

        var contextName = context ?? file.CurrentContext
            ?? throw new KubeConfigException("The kubeconfig has no current-context and no context was given.");
        var ctx = file.Contexts.FirstOrDefault(c => c.Name == contextName)?.Context
            ?? throw new KubeConfigException($"Context \"{contextName}\" is not in the kubeconfig.");
        var cluster = file.Clusters.FirstOrDefault(c => c.Name == ctx.Cluster)?.Cluster
            ?? throw new KubeConfigException($"Cluster \"{ctx.Cluster}\" (of context \"{contextName}\") is not in the kubeconfig.");
        var user = file.Users.FirstOrDefault(u => u.Name == ctx.User)?.User ?? new UserEntry();
        if (string.IsNullOrEmpty(cluster.Server) || !Uri.TryCreate(cluster.Server, UriKind.Absolute, out var server))
        {
            throw new KubeConfigException($"Cluster \"{ctx.Cluster}\" has no valid server URL (got \"{cluster.Server}\").");
        }

        string Resolve(string p) => Path.IsPathRooted(p) || baseDirectory is null ? p : Path.Combine(baseDirectory, p);

        var authorities = new X509Certificate2Collection();
        var caPem = Pem(cluster.CertificateAuthorityData, cluster.CertificateAuthority is null ? null : Resolve(cluster.CertificateAuthority), "certificate-authority");
        if (caPem is not null)
        {
            authorities.ImportFromPem(caPem);
            if (authorities.Count == 0)
            {
                throw new KubeConfigException($"The certificate authority of cluster \"{ctx.Cluster}\" holds no PEM certificate.");
            }
        }

        X509Certificate2? clientCertificate = null;
        var certPem = Pem(user.ClientCertificateData, user.ClientCertificate is null ? null : Resolve(user.ClientCertificate), "client-certificate");
        var keyPem = Pem(user.ClientKeyData, user.ClientKey is null ? null : Resolve(user.ClientKey), "client-key");
        if (certPem is not null || keyPem is not null)
        {
            if (certPem is null || keyPem is null)
            {
                throw new KubeConfigException($"User \"{ctx.User}\" has a client certificate or key but not both.");
            }

            try
            {
                using var pemCertificate = X509Certificate2.CreateFromPem(certPem, keyPem);
                // Through PKCS#12 so that SslStream can use the key on every platform.
                clientCertificate = X509CertificateLoader.LoadPkcs12(pemCertificate.Export(X509ContentType.Pkcs12), null);
            }
            catch (System.Security.Cryptography.CryptographicException e)
            {
                throw new KubeConfigException($"The client certificate/key of user \"{ctx.User}\" cannot be loaded: {e.Message}", e);
            }
        }

        ITokenProvider? tokens = null;
        if (user.Exec is not null)
        {
            tokens = new ExecCredentialProvider(user.Exec, cluster.Server);
        }
        else if (!string.IsNullOrEmpty(user.Token))
        {
            tokens = new StaticTokenProvider(user.Token);
        }
        else if (!string.IsNullOrEmpty(user.TokenFile))
        {
            tokens = new FileTokenProvider(Resolve(user.TokenFile));
        }

        return new KubeClientConfig
        {
            Server = server,
            CertificateAuthorities = authorities,
            ClientCertificate = clientCertificate,
            TokenProvider = tokens,
            SkipTlsVerify = cluster.InsecureSkipTlsVerify,
            Namespace = string.IsNullOrEmpty(ctx.Namespace) ? "default" : ctx.Namespace,
        };
    }

    private static string? Pem(string? base64Data, string? file, string what)
    {
        if (!string.IsNullOrEmpty(base64Data))
        {
            try
            {
                return Encoding.UTF8.GetString(Convert.FromBase64String(base64Data));
            }
            catch (FormatException e)
            {
                throw new KubeConfigException($"{what}-data is not valid base64.", e);
            }
        }

        if (!string.IsNullOrEmpty(file))
        {
            if (!File.Exists(file))
            {
                throw new KubeConfigException($"The {what} file {file} does not exist.");
            }

            return File.ReadAllText(file);
        }

        return null;
    }
}
