namespace Parma.Kube.Models;

public sealed class Probe : KubeModel
{
    public ExecAction? Exec { get; set; }

    public HttpGetAction? HttpGet { get; set; }

    public TcpSocketAction? TcpSocket { get; set; }

    public GrpcAction? Grpc { get; set; }

    public int? InitialDelaySeconds { get; set; }

    public int? TimeoutSeconds { get; set; }

    public int? PeriodSeconds { get; set; }

    public int? SuccessThreshold { get; set; }

    public int? FailureThreshold { get; set; }

    public long? TerminationGracePeriodSeconds { get; set; }
}

public sealed class ExecAction : KubeModel
{
    public List<string>? Command { get; set; }
}

public sealed class HttpGetAction : KubeModel
{
    public string? Path { get; set; }

    public IntOrString Port { get; set; }

    public string? Host { get; set; }

    public string? Scheme { get; set; }

    public List<HttpHeader>? HttpHeaders { get; set; }
}

public sealed class HttpHeader : KubeModel
{
    public string Name { get; set; } = "";

    public string Value { get; set; } = "";
}

public sealed class TcpSocketAction : KubeModel
{
    public IntOrString Port { get; set; }

    public string? Host { get; set; }
}

public sealed class GrpcAction : KubeModel
{
    public int Port { get; set; }

    public string? Service { get; set; }
}
