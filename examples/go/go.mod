module voiceos-go

go 1.26.6

require (
	github.com/pulumi/pulumi/sdk/v3 v3.274.1
	github.com/voiceos/pulumi-voiceos/sdk v0.1.0
)
