"""The engine on its own: seed 000's NeuralNetwork class and seed 001's layer list, on digits.

Run ``python examples/engine_digits.py`` (``--epochs N`` for a shorter run).
"""

import argparse

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skneural import SGD, Adam, NeuralNetwork, check_gradients
from skneural.layers import Dense, Softmax, Tanh


def main(epochs=20):
    x, y = load_digits(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, stratify=y, random_state=0)
    scaler = StandardScaler().fit(x_train)
    x_train, x_test = scaler.transform(x_train), scaler.transform(x_test)

    # Seed 000: sizes of the layers, activations, loss and optimizer passed in.
    net = NeuralNetwork([64, 64, 10], "relu", "softmax", "categorical_crossentropy",
                        Adam(learning_rate=0.01), random_state=0)
    print("gradient check, worst relative error:",
          f"{check_gradients(net, x_train[:20], y_train[:20], categorical=True):.1e}")
    net.fit(x_train, y_train, batch_size=32, epochs=epochs, categorical=True)
    seed000 = net.score(x_test, y_test, accuracy=True)
    print(f"NeuralNetwork([64, 64, 10]) relu/softmax/cross-entropy/Adam: {seed000:.2%} held out")

    # Seed 001: a list of layers, tanh then softmax, mean squared error, plain SGD.
    layers = [Dense(64, 40, random_state=0), Tanh(), Dense(40, 10, random_state=1), Softmax()]
    net = NeuralNetwork(layers, loss="mse", optimizer=SGD(learning_rate=0.5, momentum=0.0), random_state=0)
    net.fit(x_train / 4, y_train, batch_size=10, epochs=epochs, categorical=True)
    seed001 = net.score(x_test / 4, y_test, accuracy=True)
    print(f"[Dense(64, 40), Tanh(), Dense(40, 10), Softmax()] with mse and SGD: {seed001:.2%} held out")
    return seed000, seed001


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    main(parser.parse_args().epochs)
