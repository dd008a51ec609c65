package io.closedloop.attribution.graphql;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Input;

/** The custom model's fractions (DESIGN §4): non-negative, summing to 1 within 1e-6. */
@Input("CustomWeights")
@Description("The custom model's fractions for FT, LC, OC, CW and the middle touches: each >= 0, summing to 1"
        + " within 1e-6; split by the full-path rules.")
public class CustomWeights {
    public double firstTouch;
    public double leadCreation;
    public double opportunityCreation;
    public double closedWon;
    public double middle;
}
