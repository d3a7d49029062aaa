using System.Runtime.CompilerServices;
using Otp.Net.Processes;

namespace Otp.Net.Tests.Processes;

public sealed class ExceptionInfoTests
{
    [Fact]
    public async Task Stack_NamesTheAsyncMethodThatThrew_WithoutAsyncPlumbing()
    {
        var ex = await Record.ExceptionAsync(ThrowsAfterAwaitAsync);
        var info = ExceptionInfo.From(ex!);
        info.Type.Should().Be("System.InvalidOperationException");
        info.Message.Should().Be("boom");
        info.StackTrace.Should().Contain($"{typeof(ExceptionInfoTests).FullName}.{nameof(ThrowsAfterAwaitAsync)}()");
        info.StackTrace.Should().NotContain("MoveNext").And.NotContain("System.Runtime.CompilerServices");
    }

    [Fact]
    public void Stack_OfAnExceptionNeverThrown_IsNull()
    {
        ExceptionInfo.From(new InvalidOperationException("never thrown")).StackTrace.Should().BeNull();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task ThrowsAfterAwaitAsync()
    {
        await Task.Yield();
        throw new InvalidOperationException("boom");
    }
}
