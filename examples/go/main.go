// The project's program: supportLine (supportline.go) run by pulumi.Run.
package main

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

func main() {
	pulumi.Run(supportLine)
}
