using Parma.Rego;

namespace Parma.Cli.Tests;

public sealed class EvalCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("parma-eval-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string relative, string text)
    {
        var path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Evaluates_policy_data_and_input_into_opa_shaped_json()
    {
        Write("policy/p.rego", "package ex\nallow if input.user == data.users.admin\nnames contains n if some n in data.team\n");
        Write("policy/users/u.yaml", "admin: alice\n");
        var team = Write("team.json", """{"team": ["bob", "alice"]}""");
        var input = Write("input.json", """{"user": "alice"}""");

        var result = await CliRunner.RunAsync("eval", "-d", Path.Combine(_dir, "policy"), "--data", team, "-i", input, "data.ex.allow");
        result.ExitCode.Should().Be(0, result.StandardError);
        Value.FromJson(result.StandardOutput).ToJson().Should().Be(
            """{"result":[{"expressions":[{"location":{"col":1,"row":1},"text":"data.ex.allow","value":true}]}]}""");

        var bindings = await CliRunner.RunAsync("eval", "-d", Path.Combine(_dir, "policy"), "-d", team, "x := data.ex.names[_]");
        var rows = Value.FromJson(bindings.StandardOutput)["result"]!;
        ((ArrayValue)rows).Elements.Select(r => r["bindings"]!["x"]!.ToJson()).Should().Equal("\"alice\"", "\"bob\"");
    }

    [Fact]
    public async Task Undefined_prints_empty_object_and_fail_flags_set_the_exit_code()
    {
        var policy = Write("p.rego", "package ex\nallow if input.ok\n");
        var undefined = await CliRunner.RunAsync("eval", "-d", policy, "data.ex.allow");
        undefined.ExitCode.Should().Be(0);
        undefined.StandardOutput.Trim().Should().Be("{}");

        (await CliRunner.RunAsync("eval", "-d", policy, "--fail", "data.ex.allow")).ExitCode.Should().Be(1);
        var input = Write("in.json", """{"ok": true}""");
        (await CliRunner.RunAsync("eval", "-d", policy, "-i", input, "--fail-defined", "data.ex.allow")).ExitCode.Should().Be(1);
        (await CliRunner.RunAsync("eval", "-d", policy, "-i", input, "--fail", "data.ex.allow")).ExitCode.Should().Be(0);
    }

    [Fact]
    public async Task V0_policies_need_the_v0_flag_and_parse_errors_exit_1_with_location()
    {
        var policy = Write("v0.rego", "package ex\nallow { input.x == 1 }\n");
        var v1 = await CliRunner.RunAsync("eval", "-d", policy, "data.ex.allow");
        v1.ExitCode.Should().Be(1);
        v1.StandardError.Should().Contain("v0.rego:2:7").And.Contain("rego_parse_error");

        var input = Write("in.yaml", "x: 1\n");
        var v0 = await CliRunner.RunAsync("eval", "--v0-compatible", "-d", policy, "-i", input, "--format", "pretty", "data.ex.allow");
        v0.ExitCode.Should().Be(0, v0.StandardError);
        v0.StandardOutput.Trim().Should().Be("true");
    }

    [Fact]
    public async Task Errors_are_printed_as_opa_shaped_json_and_fail_flags_are_exclusive()
    {
        var policy = Write("bad.rego", "package ex\nallow if {\n");
        var result = await CliRunner.RunAsync("eval", "-d", policy, "data.ex.allow");
        result.ExitCode.Should().Be(1);
        var error = Value.FromJson(result.StandardOutput)["errors"]![Value.Number(0)]!;
        error["code"].Should().Be(Value.String("rego_parse_error"));
        error["location"]!["file"].Should().Be(Value.String(policy));
        error["location"]!["row"].Should().Be(Value.Number(3));
        error["message"]!.ToJson().Should().Contain("expected");

        var conflict = Write("conflict.rego", "package ex\nx := 1\nx := 2 if true\n");
        var evalError = await CliRunner.RunAsync("eval", "-d", conflict, "data.ex.x");
        evalError.ExitCode.Should().Be(1);
        Value.FromJson(evalError.StandardOutput)["errors"]![Value.Number(0)]!["code"].Should().Be(Value.String("eval_conflict_error"));

        var both = await CliRunner.RunAsync("eval", "-d", conflict, "--fail", "--fail-defined", "data.ex.x");
        both.ExitCode.Should().Be(1);
        both.StandardError.Should().Contain("--fail or --fail-defined");
    }

    [Fact]
    public async Task Missing_files_are_reported_not_crashed_on()
    {
        var result = await CliRunner.RunAsync("eval", "-d", Path.Combine(_dir, "nope.rego"), "data.x");
        result.ExitCode.Should().Be(1);
        result.StandardError.Should().Contain("nope.rego");
    }
}
