"""The engine on its own: the NeuralNetwork class, and a network composed from a list of layers.
=============================================================================================

The ``NeuralNetwork`` class with its components passed in: ``NeuralNetwork``
built from layer sizes, with the activations, loss and optimizer passed in.
A network composed from a list of layers: layers composed by hand, ``[Dense, Tanh,
Dense, Softmax]``, trained with the mean squared error and plain SGD one
sample at a time.

Run it::

    python examples/network_styles.py
    python examples/network_styles.py --epochs 5
"""

import argparse

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skneural import SGD, Adam, NeuralNetwork, check_gradients
from skneural.layers import Dense, Softmax, Tanh


def load():
    """``(x_train, x_test, y_train, y_test)``: the digits, standardized, a quarter held out."""
    x, y = load_digits(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, stratify=y, random_state=0)
    scaler = StandardScaler().fit(x_train)
    return scaler.transform(x_train), scaler.transform(x_test), y_train, y_test


def main(epochs=10):
    x_train, x_test, y_train, y_test = load()
    n_inputs = x_train.shape[1]
    print(f"digits: {len(x_train)} training and {len(x_test)} test images of {n_inputs} pixels")

    # The NeuralNetwork class: sizes of the layers, then activations, loss and optimizer passed in.
    net = NeuralNetwork([n_inputs, 64, 10], "relu", "softmax", "categorical_crossentropy",
                        Adam(learning_rate=0.005), random_state=0)
    print("gradient check, worst relative error:",
          f"{check_gradients(net, x_train[:20], y_train[:20], categorical=True):.1e}")
    net.fit(x_train, y_train, batch_size=32, epochs=epochs, categorical=True)
    sizes_style = net.score(x_test, y_test, accuracy=True)
    print(f"NeuralNetwork([{n_inputs}, 64, 10]), relu/softmax/cross-entropy/Adam: {sizes_style:.2%} held out")

    # A network composed from a list of layers: layers, tanh then softmax, mean squared error, plain SGD on single samples.
    layers = [Dense(n_inputs, 40, random_state=0), Tanh(), Dense(40, 10, random_state=1), Softmax()]
    net = NeuralNetwork(layers, loss="mse", optimizer=SGD(learning_rate=0.1, momentum=0.0), random_state=0)
    net.fit(x_train / 4, y_train, batch_size=1, epochs=max(1, epochs // 2), categorical=True)
    layer_list_style = net.score(x_test / 4, y_test, accuracy=True)
    print(f"[Dense({n_inputs}, 40), Tanh(), Dense(40, 10), Softmax()] with mse and SGD: "
          f"{layer_list_style:.2%} held out")
    return sizes_style, layer_list_style


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="two epochs")
    args = parser.parse_args()
    main(2 if args.quick else args.epochs)
